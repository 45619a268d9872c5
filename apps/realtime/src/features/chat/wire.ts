import type { ChatMessageWithAuthor, ChatRoomSummary } from "@repo/db";
import type { ChatMessage, ChatRoom } from "@repo/protocol";

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
