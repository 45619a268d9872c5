import type { BroadcastRow, ListedNotification, OwnNotification } from "@repo/db";
import type { Notification } from "@repo/protocol";

/** A user's own stored notification as the protocol's Notification. */
export function ownToWire(row: OwnNotification, fallbackAuthor?: { id: string; name: string }): Notification {
  return {
    kind: "mention",
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    read: row.readAt !== null,
    roomId: row.roomId ?? "",
    messageId: row.messageId ?? "",
    author: row.actor ?? fallbackAuthor ?? { id: row.actorId ?? "", name: "" },
    excerpt: row.excerpt,
  };
}

export function broadcastToWire(row: BroadcastRow, read: boolean, silent: boolean): Extract<Notification, { kind: "broadcast" }> {
  return { kind: "broadcast", id: row.id, createdAt: row.createdAt.toISOString(), read, title: row.title, body: row.body, silent };
}

export function listedToWire(item: ListedNotification, silentBroadcasts: boolean): Notification {
  if (item.source === "broadcast") return broadcastToWire(item.row, item.read, silentBroadcasts);
  return { ...ownToWire(item.row), read: item.read };
}
