import type { ChatMessageWithAuthor, ChatRoomSummary, RoomKey } from "@repo/db";
import { ProtocolError, type ChatMessage, type ChatRoom } from "@repo/protocol";

/** A stored message as the protocol's ChatMessage. Text goes out verbatim: clients render it as text. */
export function messageToWire(row: ChatMessageWithAuthor): ChatMessage {
  return {
    id: row.id,
    roomId: row.roomId,
    author: { id: row.author.id, name: row.author.name },
    text: row.text,
    createdAt: row.createdAt.toISOString(),
    editedAt: row.editedAt?.toISOString() ?? null,
    deletedAt: row.deletedAt?.toISOString() ?? null,
  };
}

export function roomToWire(room: ChatRoomSummary): ChatRoom {
  return { id: room.id, name: room.name, createdAt: room.createdAt.toISOString(), joined: room.joined, members: room.members };
}

/** A directory page's `nextCursor` (RoomsCursor): the last room's creation time (ms, base 36) and id. */
export function encodeRoomsCursor(key: RoomKey): string {
  return `${key.createdAt.getTime().toString(36)}.${key.id}`;
}

/** The key of a RoomsCursor (its shape already checked by the query schema). */
export function decodeRoomsCursor(cursor: string): RoomKey {
  const dot = cursor.indexOf(".");
  const createdAt = new Date(parseInt(cursor.slice(0, dot), 36));
  if (Number.isNaN(createdAt.getTime())) {
    throw new ProtocolError("validation", "Invalid rooms cursor", { issues: [{ path: ["after"], message: "Invalid rooms cursor" }] });
  }
  return { createdAt, id: cursor.slice(dot + 1) };
}
