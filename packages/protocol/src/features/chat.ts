import { z } from "zod";
import { defineProtocolFeature } from "../feature-module";
import { API_PREFIX } from "../paths";
import { Position } from "../position";
import { User, visibleLabel } from "../session";
import type { Topic } from "../topics";

/*
 * The chat room feature, on the wire.
 *
 * - A room is the topic `chat:<roomId>`, readable by its members only. The
 *   lobby (`lobby`, "Lobby") always exists; anyone may join it like any room.
 * - Commands (client → server, the usual `{ id, type, payload }` envelope; the id
 *   is the idempotency key): `chat.createRoom`, `chat.join`, `chat.leave`,
 *   `chat.send`, `chat.edit`, `chat.delete`, `chat.typing`.
 * - Events on `chat:<roomId>` (ordered, logged, resumable): see CHAT_EVENTS.
 * - One signal (ephemeral, never logged or replayed): `typing`.
 * - Reads are plain GETs under /v1/chat (see chatPaths).
 *
 * Every text field is plain text. Clients render it escaped (as text nodes),
 * never as HTML; the server stores and returns it verbatim.
 */

// ---------------------------------------------------------------------------
// Identifiers, names and text

/** A room id: a lowercase slug, derived from the name when the room is created. */
export const ROOM_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const RoomId = z.string().regex(ROOM_ID_PATTERN, "Room id must be a lowercase slug of 1-32 characters");
export type RoomId = z.infer<typeof RoomId>;

/** Message ids are UUIDs (v7: they sort by creation time). */
export const MessageId = z.uuid("Message id must be a UUID");
export type MessageId = z.infer<typeof MessageId>;

/** The room that always exists. */
export const LOBBY_ROOM = { id: "lobby", name: "Lobby" } as const;

export const CHAT_LIMITS = {
  /** Visible characters (grapheme clusters) in a room name. */
  roomNameChars: 48,
  /** Code points in a message, after trimming. */
  messageChars: 2000,
  /** History page size: default and maximum. */
  historyPageDefault: 50,
  historyPageMax: 100,
  /** Room directory page size: default and maximum. */
  roomsPageDefault: 50,
  roomsPageMax: 100,
  /** Code points in a directory search. */
  roomSearchChars: 48,
  /** `chat.send` per user: more within the window is refused with `rate_limited` (+ retryAfter). */
  sendRate: { points: 10, windowSeconds: 10 },
  /** At most one `typing` signal per user per room this often; extra `chat.typing` commands are absorbed. */
  typingThrottleMs: 2000,
  /** `@` mentions in one message (see mentionStarts): more is refused with `validation`. */
  mentionsPerMessage: 20,
} as const;

/** A room name: trimmed, NFC, 1–48 visible characters, nothing invisible, control or bidi-override. */
export const RoomName = visibleLabel("Room name", CHAT_LIMITS.roomNameChars);

/** Line breaks (`\n`) are allowed; every other control character, and broken UTF-16, is refused. */
const CONTROL_EXCEPT_NEWLINE = /(?!\n)[\p{Cc}\p{Cs}]/u;

/** Bidi embeddings and overrides (closed by PDF) and isolates (closed by PDI). */
const BIDI_EMBEDDING = new Set(["\u202A", "\u202B", "\u202D", "\u202E"]);
const BIDI_ISOLATE = new Set(["\u2066", "\u2067", "\u2068"]);
const PDF = "\u202C";
const PDI = "\u2069";

/**
 * Whether every bidi embedding, override and isolate in `text` is closed, in
 * nesting order, on its own line (the bidi algorithm ends them all at a line
 * break anyway). An unclosed one reorders whatever follows it: the
 * "invoice\u202Efdp.exe" spoof, Trojan Source.
 */
export function bidiControlsPaired(text: string): boolean {
  const open: string[] = [];
  for (const char of text) {
    if (char === "\n") {
      if (open.length > 0) return false;
    } else if (BIDI_EMBEDDING.has(char)) open.push(PDF);
    else if (BIDI_ISOLATE.has(char)) open.push(PDI);
    else if ((char === PDF || char === PDI) && open.pop() !== char) return false;
  }
  return open.length === 0;
}

/**
 * A message text: `\r\n` and `\r` become `\n`, then trimmed; 1–2,000 characters
 * (code points); line breaks allowed, other control characters refused; bidi
 * embeddings, overrides and isolates only in closed, properly nested pairs.
 * Otherwise kept verbatim (`<script>` is just text).
 */
export const MessageText = z
  .string()
  .max(CHAT_LIMITS.messageChars * 4, "Message is too long")
  .transform((s) => s.replace(/\r\n?/g, "\n").trim())
  .refine((s) => !CONTROL_EXCEPT_NEWLINE.test(s), "Message contains control characters")
  .refine((s) => bidiControlsPaired(s), "Message has an unclosed or misnested text-direction control")
  .refine((s) => s.length > 0, "Message must not be empty")
  .refine((s) => codePointLength(s) <= CHAT_LIMITS.messageChars, `Message must be at most ${CHAT_LIMITS.messageChars} characters`);

/**
 * Where the mentions of a text start: the index just after each `@` that begins
 * a word (at the start, or after a character that is not a letter, digit, mark
 * or `@`) and is followed by a letter or digit. `ada@example.org` mentions nobody.
 */
export function mentionStarts(text: string): number[] {
  const starts: number[] = [];
  for (const match of text.matchAll(/(?<![\p{L}\p{N}\p{M}@])@(?=[\p{L}\p{N}])/gu)) starts.push(match.index + 1);
  return starts;
}

/** A chat message's text (chat.send, chat.edit): MessageText with at most 20 mentions. */
export const ChatMessageText = MessageText.refine(
  (s) => mentionStarts(s).length <= CHAT_LIMITS.mentionsPerMessage,
  `A message may mention at most ${CHAT_LIMITS.mentionsPerMessage} people`,
);

export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * The room id a (validated) name gets: case and accents folded, every run of
 * other characters a `-`, at most 32 characters. When letters or digits would
 * be lost (a name in another script, or only symbols), a short hash of the
 * name is added, so different names rarely meet on one id. Equal names, ignoring
 * case, always give the same id: that is what makes room names unique.
 */
export function roomIdFromName(name: string): RoomId {
  const folded = name.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase();
  const base = folded.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  const lossy = base === "" || /(?![a-z0-9])[\p{L}\p{N}]/u.test(folded);
  if (!lossy) return base.slice(0, 32).replace(/-+$/, "");
  const suffix = shortHash(name.normalize("NFC").toLowerCase());
  const head = base.slice(0, 32 - suffix.length - 1).replace(/-+$/, "");
  return `${head || "r"}-${suffix}`;
}

/** 10 base-36 characters of two FNV-1a hashes: deterministic, dependency-free. */
function shortHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193) >>> 0;
  }
  return (a.toString(36).padStart(7, "0").slice(-5) + b.toString(36).padStart(7, "0").slice(-5)).slice(0, 10);
}

export function chatTopic(roomId: RoomId): Topic {
  return `chat:${roomId}`;
}

// ---------------------------------------------------------------------------
// Shapes

/** A room as listed: `joined` is whether the asking user is a member; `members` counts members. */
export const ChatRoom = z.object({
  id: RoomId,
  name: z.string(),
  createdAt: z.string().datetime(),
  joined: z.boolean(),
  members: z.number().int().nonnegative(),
});
export type ChatRoom = z.infer<typeof ChatRoom>;

/**
 * A message. A deleted message stays in history as a tombstone: `deletedAt`
 * set and `text` empty. When two copies of one message meet (a page and an
 * event), keep the deleted one, else the one with the later `editedAt`.
 */
export const ChatMessage = z.object({
  id: MessageId,
  roomId: RoomId,
  author: User,
  text: z.string(),
  createdAt: z.string().datetime(),
  editedAt: z.string().datetime().nullable(),
  deletedAt: z.string().datetime().nullable(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

// ---------------------------------------------------------------------------
// Events on chat:<roomId> and the typing signal

export const CHAT_EVENTS = {
  messageCreated: "message.created",
  messageEdited: "message.edited",
  messageDeleted: "message.deleted",
  /** Someone started reading the room (any transport). */
  presenceJoined: "presence.joined",
  /** Someone stopped reading: closed their last stream, or a polling client went silent past the TTL, or left. */
  presenceLeft: "presence.left",
  /** Membership: someone joined the room. */
  memberJoined: "member.joined",
  /** Membership: someone left the room. */
  memberLeft: "member.left",
} as const;

const UserPayload = z.object({ user: User });

/** A chat event's `{ type, payload }`, by type. Parse `{ type: event.type, payload: event.payload }`. */
export const ChatEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal(CHAT_EVENTS.messageCreated), payload: z.object({ message: ChatMessage }) }),
  z.object({ type: z.literal(CHAT_EVENTS.messageEdited), payload: z.object({ message: ChatMessage }) }),
  z.object({ type: z.literal(CHAT_EVENTS.messageDeleted), payload: z.object({ messageId: MessageId }) }),
  z.object({ type: z.literal(CHAT_EVENTS.presenceJoined), payload: UserPayload }),
  z.object({ type: z.literal(CHAT_EVENTS.presenceLeft), payload: UserPayload }),
  z.object({ type: z.literal(CHAT_EVENTS.memberJoined), payload: UserPayload }),
  z.object({ type: z.literal(CHAT_EVENTS.memberLeft), payload: UserPayload }),
]);
export type ChatEvent = z.infer<typeof ChatEvent>;
export type ChatEventType = ChatEvent["type"];

export const CHAT_SIGNALS = { typing: "typing" } as const;
/** Payload of the `typing` signal: who is typing. Show it for a few seconds; it is never replayed. */
export const TypingSignal = z.object({ user: User });
export type TypingSignal = z.infer<typeof TypingSignal>;

// ---------------------------------------------------------------------------
// Commands: payload and result of each (the `{ id, type, payload }` envelope is in commands.ts)

export const CHAT_COMMANDS = {
  /** Creates a room named `name` (its id derived by roomIdFromName; taken → `conflict`). The creator joins it. */
  "chat.createRoom": { payload: z.object({ name: RoomName }), result: z.object({ room: ChatRoom }) },
  /** Joins a room (unknown → `not_found`). Joining again changes nothing. */
  "chat.join": { payload: z.object({ roomId: RoomId }), result: z.object({ room: ChatRoom }) },
  /** Leaves a room: its topic, history and presence are closed to the user at once. */
  "chat.leave": { payload: z.object({ roomId: RoomId }), result: z.object({ roomId: RoomId }) },
  /** Posts a message (members only). A retry with the same command id returns the first message. */
  "chat.send": { payload: z.object({ roomId: RoomId, text: ChatMessageText }), result: z.object({ message: ChatMessage }) },
  /** Replaces the text of one's own message (another's → `forbidden`; deleted → `not_found`). */
  "chat.edit": { payload: z.object({ messageId: MessageId, text: ChatMessageText }), result: z.object({ message: ChatMessage }) },
  /** Deletes one's own message (soft: a tombstone with empty text stays in history). */
  "chat.delete": { payload: z.object({ messageId: MessageId }), result: z.object({ messageId: MessageId }) },
  /** "I am typing" (members only): at most one `typing` signal per user and room every ~2 s; no receipt. */
  "chat.typing": { payload: z.object({ roomId: RoomId }), result: z.object({}) },
} as const;

/** The chat module of the protocol: topic kind `chat`, the commands above, ChatEvent on its topics. */
export const chatProtocol = defineProtocolFeature({
  name: "chat",
  topicKinds: ["chat"],
  commands: CHAT_COMMANDS,
  events: ChatEvent,
});

// ---------------------------------------------------------------------------
// Reads (GET, authenticated like every HTTP endpoint; members only per room)

export const chatPaths = {
  rooms: `${API_PREFIX}/chat/rooms`,
  messages: (roomId: RoomId) => `${API_PREFIX}/chat/rooms/${roomId}/messages`,
  presence: (roomId: RoomId) => `${API_PREFIX}/chat/rooms/${roomId}/presence`,
} as const;

/** The same paths as route patterns for the server (`:roomId` is a path parameter, see ChatRoomParams). */
export const chatRoutes = {
  rooms: chatPaths.rooms,
  messages: chatPaths.messages(":roomId"),
  presence: chatPaths.presence(":roomId"),
} as const;

/** Where the next directory page starts: opaque, from `nextCursor`. */
export const RoomsCursor = z.string().regex(/^[0-9a-z]{1,12}\.[a-z0-9][a-z0-9-]{0,31}$/, "Invalid rooms cursor");

/**
 * Query of `GET /v1/chat/rooms`: `limit` rooms (default 50, at most 100) after
 * `after` (a `nextCursor`), only names containing `q` (case-insensitive) if given.
 */
export const ChatRoomsQuery = z.object({
  after: RoomsCursor.optional(),
  limit: z.coerce.number().int().min(1).max(CHAT_LIMITS.roomsPageMax).default(CHAT_LIMITS.roomsPageDefault),
  q: z
    .string()
    .max(CHAT_LIMITS.roomSearchChars * 4, "Search is too long")
    .transform((s) => s.normalize("NFC").trim())
    .refine((s) => !/[\p{Cc}\p{Cs}]/u.test(s), "Search contains control characters")
    .optional(),
});
export type ChatRoomsQuery = z.input<typeof ChatRoomsQuery>;

/**
 * `GET /v1/chat/rooms`: one page of the directory, oldest first (the lobby
 * first). `nextCursor`: more rooms follow (ask with `after` = it), else null.
 */
export const ChatRoomsResponse = z.object({ rooms: z.array(ChatRoom), nextCursor: RoomsCursor.nullable() });
export type ChatRoomsResponse = z.infer<typeof ChatRoomsResponse>;

export const ChatRoomParams = z.object({ roomId: RoomId });

/** Query of `GET /v1/chat/rooms/:roomId/messages`: the page before `before` (a message id), or the latest. */
export const ChatHistoryQuery = z.object({
  before: MessageId.optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(CHAT_LIMITS.historyPageMax)
    .default(CHAT_LIMITS.historyPageDefault),
});
export type ChatHistoryQuery = z.input<typeof ChatHistoryQuery>;

/**
 * One page of history, oldest → newest. `hasMore`: older messages exist (ask
 * with `before` = the first id). `position` is the topic's position when the
 * page was read: subscribe to `chat:<roomId>` from it. Messages are stored
 * before their event is published, so one may be both in the page and in an
 * event after `position`: de-duplicate by message id.
 */
export const ChatHistoryResponse = z.object({
  messages: z.array(ChatMessage),
  hasMore: z.boolean(),
  position: Position,
});
export type ChatHistoryResponse = z.infer<typeof ChatHistoryResponse>;

/** `GET /v1/chat/rooms/:roomId/presence`: who is reading the room now, on any transport. */
export const ChatPresenceResponse = z.object({ users: z.array(User) });
export type ChatPresenceResponse = z.infer<typeof ChatPresenceResponse>;
