// What React reads of one open room (ChatRoomController.getSnapshot), and what an action answers.
import type { ChatRoom, RoomId, User } from "@repo/protocol";
import type { ListItem } from "./message-store";

export type RoomPhase = "joining" | "loading" | "ready" | "error";

export interface RoomSnapshot {
  readonly roomId: RoomId;
  readonly phase: RoomPhase;
  /** Why the room could not be opened (phase "error"). */
  readonly error: string | null;
  /** The room as the join answered (name, member count). */
  readonly room: ChatRoom | null;
  readonly items: readonly ListItem[];
  /** Older messages exist on the server. */
  readonly hasMore: boolean;
  readonly loadingOlder: boolean;
  readonly olderError: string | null;
  /** Who is reading the room now (me included once I am in), by name. */
  readonly presence: readonly User[];
  /** Who else is typing now. */
  readonly typing: readonly User[];
  /** Sends are refused for being too fast until then (ms since the Unix epoch), or null. */
  readonly rateLimitedUntil: number | null;
}

export type ActionResult = { ok: true } | { ok: false; message: string };
