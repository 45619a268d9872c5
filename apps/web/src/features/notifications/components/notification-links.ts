import { LOBBY_ROOM, type Notification } from "@repo/protocol";

export type Mention = Extract<Notification, { kind: "mention" }>;
export type Invite = Extract<Notification, { kind: "invite" }>;

/** The chat room of a mention (`?room=`, the lobby by default, next to `?transport=`), at the message. */
export function mentionHref(notification: Mention, transport: string | null): string {
  const params = new URLSearchParams();
  if (notification.roomId !== LOBBY_ROOM.id) params.set("room", notification.roomId);
  if (transport) params.set("transport", transport);
  const query = params.toString();
  return `/chat${query ? `?${query}` : ""}#message-${notification.messageId}`;
}

/** The game an invite joins: the service's `path` (`/game?join=<id>`), with `?transport=` kept. */
export function inviteHref(notification: Invite, transport: string | null): string {
  if (!transport) return notification.path;
  return `${notification.path}${notification.path.includes("?") ? "&" : "?"}transport=${encodeURIComponent(transport)}`;
}

/** One line for a toast or the system notification (plain text). */
export function notificationSummary(notification: Notification): { title: string; body: string } {
  switch (notification.kind) {
    case "mention":
      return { title: `${notification.author.name} mentioned you`, body: notification.excerpt };
    case "broadcast":
      return { title: notification.title, body: notification.body };
    case "invite":
      return { title: `${notification.from.name} invited you to a game`, body: "Join the game" };
    default: {
      const unhandled: never = notification;
      return unhandled;
    }
  }
}
