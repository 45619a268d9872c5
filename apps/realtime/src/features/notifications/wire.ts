import type { BroadcastRow, ListedNotification, OwnNotification } from "@repo/db";
import { gameJoinPath, type Notification } from "@repo/protocol";

/** A user's own stored notification (a mention or an invite) as the protocol's Notification. */
export function ownToWire(row: OwnNotification, fallbackAuthor?: { id: string; name: string }): Notification {
  const actor = row.actor ?? fallbackAuthor ?? { id: row.actorId ?? "", name: "" };
  if (row.kind === "invite") {
    const gameId = row.gameId ?? "";
    return { kind: "invite", id: row.id, createdAt: row.createdAt.toISOString(), read: row.readAt !== null, gameId, from: actor, path: gameJoinPath(gameId) };
  }
  return {
    kind: "mention",
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    read: row.readAt !== null,
    roomId: row.roomId ?? "",
    messageId: row.messageId ?? "",
    author: actor,
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
