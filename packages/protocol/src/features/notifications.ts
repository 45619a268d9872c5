import { z } from "zod";
import { defineProtocolFeature } from "../feature-module";
import { API_PREFIX } from "../paths";
import { Position } from "../position";
import { User } from "../session";
import type { Topic } from "../topics";
import { MessageId, RoomId } from "./chat";
import { GameId } from "./game";

/*
 * Notifications, on the wire (docs/protocol.md, "Notifications").
 *
 * - Each user has a private topic `notify:<userId>` (that user only): their own
 *   notifications as they are made, and their read state and preferences as
 *   they change (so every tab and device follows).
 * - Broadcasts go once to the shared topic `notify:broadcast` (every signed-in
 *   user): one event and one stored row, whatever the audience.
 * - Commands: `notify.markRead`, `notify.markAllRead`, `notify.setPreferences`.
 *   Broadcasts are sent by an operator over HTTP (POST /v1/notifications/broadcast,
 *   `Authorization: Bearer <OPERATOR_TOKEN>`), never by a guest session.
 * - Reads: GET /v1/notifications (newest first, keyset pages, unread count) and
 *   GET /v1/notifications/preferences.
 *
 * Notification ids are UUIDs v7, for a user's own notifications and broadcasts
 * alike, so one id order is the time order of the merged list.
 */

export const NOTIFY_LIMITS = {
  /** List page size: default and maximum. */
  pageDefault: 20,
  pageMax: 50,
  /** Rooms one user may mute. */
  mutedRoomsMax: 100,
  /** Code points in a broadcast's title and body. */
  broadcastTitleChars: 120,
  broadcastBodyChars: 1000,
  /** Code points of a message kept in a mention (the excerpt). */
  excerptChars: 200,
  /** Broadcasts read one by one remembered above a user's read-through mark (older ones then count as read). */
  readBroadcastsAboveMark: 200,
  /** Days a notification or broadcast is kept (the service's default; a deployment may set its own). */
  retentionDays: 30,
} as const;

export const NotificationId = z.uuid("Notification id must be a UUID");
export type NotificationId = z.infer<typeof NotificationId>;

/** The shared topic's id: not a user id (those are UUIDs), so it can never name a user's topic. */
export const BROADCAST_TOPIC_ID = "broadcast";

export function notifyTopic(userId: string): Topic {
  return `notify:${userId}`;
}

export const BROADCAST_TOPIC: Topic = `notify:${BROADCAST_TOPIC_ID}`;

// ---------------------------------------------------------------------------
// Shapes

const Base = { id: NotificationId, createdAt: z.string().datetime(), read: z.boolean() };

/** Someone wrote `@<your name>` in a room you are in. `excerpt`: the message's start when it was mentioned. */
export const MentionNotification = z.object({
  ...Base,
  kind: z.literal("mention"),
  roomId: RoomId,
  messageId: MessageId,
  author: User,
  excerpt: z.string(),
});

/**
 * A system broadcast by an operator. `silent`: the user turned broadcasts into
 * silent ones; it is listed, but not counted as unread and not to be alerted.
 */
export const BroadcastNotification = z.object({
  ...Base,
  kind: z.literal("broadcast"),
  title: z.string(),
  body: z.string(),
  silent: z.boolean(),
});

/** A player invited you to a game. `path`: the web app's link that joins it (gameJoinPath). */
export const InviteNotification = z.object({
  ...Base,
  kind: z.literal("invite"),
  gameId: GameId,
  from: User,
  path: z.string(),
});

/** One notification, by `kind` (a new kind is one more member). */
export const Notification = z.discriminatedUnion("kind", [MentionNotification, BroadcastNotification, InviteNotification]);
export type Notification = z.infer<typeof Notification>;
export type NotificationKind = Notification["kind"];

export const NotificationPreferences = z.object({
  /** Broadcasts are listed but never counted as unread or alerted. */
  silentBroadcasts: z.boolean(),
  /** Rooms whose mentions make no notification. */
  mutedRooms: z.array(RoomId).max(NOTIFY_LIMITS.mutedRoomsMax),
});
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

const UnreadCount = z.number().int().nonnegative();

// ---------------------------------------------------------------------------
// Events on notify:<userId> and notify:broadcast

export const NOTIFY_EVENTS = {
  /** notify:<userId>: a new notification of yours (never for a muted room). */
  notificationCreated: "notification.created",
  /** notify:<userId>: one notification was marked read (here or on another tab or device). */
  notificationRead: "notification.read",
  /** notify:<userId>: a notification is gone (the message that mentioned you was deleted). */
  notificationRemoved: "notification.removed",
  /** notify:<userId>: everything up to `readThrough` was marked read. */
  allRead: "notifications.allRead",
  /** notify:<userId>: the preferences changed. */
  preferencesChanged: "preferences.changed",
  /** notify:broadcast: an operator's broadcast, once for everyone (`silent` is false: apply your own preference). */
  broadcastCreated: "broadcast.created",
} as const;

/**
 * An event on a notify topic, by type. `unread` is the user's unread count
 * right after the change (silent broadcasts excluded).
 */
export const NotifyEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal(NOTIFY_EVENTS.notificationCreated), payload: z.object({ notification: Notification, unread: UnreadCount }) }),
  z.object({ type: z.literal(NOTIFY_EVENTS.notificationRead), payload: z.object({ id: NotificationId, unread: UnreadCount }) }),
  z.object({ type: z.literal(NOTIFY_EVENTS.notificationRemoved), payload: z.object({ id: NotificationId, unread: UnreadCount }) }),
  z.object({ type: z.literal(NOTIFY_EVENTS.allRead), payload: z.object({ readThrough: NotificationId.nullable(), unread: UnreadCount }) }),
  z.object({ type: z.literal(NOTIFY_EVENTS.preferencesChanged), payload: z.object({ preferences: NotificationPreferences }) }),
  z.object({ type: z.literal(NOTIFY_EVENTS.broadcastCreated), payload: z.object({ notification: BroadcastNotification }) }),
]);
export type NotifyEvent = z.infer<typeof NotifyEvent>;

// ---------------------------------------------------------------------------
// Commands

export const NOTIFY_COMMANDS = {
  /** Marks one notification (yours, or a broadcast) read. Another user's → `forbidden`; unknown → `not_found`. */
  "notify.markRead": { payload: z.object({ notificationId: NotificationId }), result: z.object({ id: NotificationId, unread: UnreadCount }) },
  /** Marks everything listed so far read (the newest id then is `readThrough`, null when there was nothing). */
  "notify.markAllRead": { payload: z.object({}), result: z.object({ readThrough: NotificationId.nullable(), unread: UnreadCount }) },
  /** Changes the given preferences (the others stay); `mutedRooms` replaces the whole list. */
  "notify.setPreferences": {
    payload: z
      .object({ silentBroadcasts: z.boolean().optional(), mutedRooms: NotificationPreferences.shape.mutedRooms.optional() })
      .refine((p) => p.silentBroadcasts !== undefined || p.mutedRooms !== undefined, "Give silentBroadcasts, mutedRooms or both"),
    result: z.object({ preferences: NotificationPreferences }),
  },
} as const;

/** The notifications module of the protocol: topic kind `notify`, the commands above, NotifyEvent on its topics. */
export const notificationsProtocol = defineProtocolFeature({
  name: "notifications",
  topicKinds: ["notify"],
  commands: NOTIFY_COMMANDS,
  events: NotifyEvent,
});

// ---------------------------------------------------------------------------
// Reads and the operator's broadcast (HTTP)

export const notificationsPaths = {
  list: `${API_PREFIX}/notifications`,
  preferences: `${API_PREFIX}/notifications/preferences`,
  /** POST, operator only (`Authorization: Bearer <OPERATOR_TOKEN>`). */
  broadcast: `${API_PREFIX}/notifications/broadcast`,
} as const;

/** The same paths as the server's route patterns (none has a parameter). */
export const notificationsRoutes = notificationsPaths;

/** Query of `GET /v1/notifications`: `limit` (default 20, at most 50) notifications older than `before`, or the newest. */
export const NotificationsQuery = z.object({
  before: NotificationId.optional(),
  limit: z.coerce.number().int().min(1).max(NOTIFY_LIMITS.pageMax).default(NOTIFY_LIMITS.pageDefault),
});
export type NotificationsQuery = z.input<typeof NotificationsQuery>;

/**
 * One page, newest first: the user's own notifications and the broadcasts,
 * merged. `nextBefore`: more follow (ask with `before` = it), else null.
 * `unread` counts everything unread (not only this page). `positions` are the
 * two topics' positions read before the page: subscribe from them and
 * de-duplicate by id (one may be both in the page and in an event).
 */
export const NotificationsResponse = z.object({
  notifications: z.array(Notification),
  unread: UnreadCount,
  nextBefore: NotificationId.nullable(),
  positions: z.object({ user: Position, broadcast: Position }),
});
export type NotificationsResponse = z.infer<typeof NotificationsResponse>;

export const NotificationPreferencesResponse = z.object({ preferences: NotificationPreferences });
export type NotificationPreferencesResponse = z.infer<typeof NotificationPreferencesResponse>;

/** Rules of a broadcast's text: trimmed, 1..max code points, line breaks only in the body, no other control character. */
function broadcastText(label: string, max: number, newlines: boolean) {
  const control = newlines ? /(?!\n)[\p{Cc}\p{Cs}]/u : /[\p{Cc}\p{Cs}]/u;
  return z
    .string()
    .max(max * 4, `${label} is too long`)
    .transform((s) => s.replace(/\r\n?/g, "\n").trim())
    .refine((s) => !control.test(s), `${label} contains control characters`)
    .refine((s) => s.length > 0, `${label} must not be empty`)
    .refine((s) => [...s].length <= max, `${label} must be at most ${max} characters`);
}

/** Body of `POST /v1/notifications/broadcast`. */
export const BroadcastRequest = z.object({
  title: broadcastText("Title", NOTIFY_LIMITS.broadcastTitleChars, false),
  body: broadcastText("Body", NOTIFY_LIMITS.broadcastBodyChars, true),
});
export type BroadcastRequest = z.input<typeof BroadcastRequest>;

/** `201` answer of a broadcast: what was stored, and the one event's offset on notify:broadcast. */
export const BroadcastResponse = z.object({ notification: BroadcastNotification, topic: z.string(), offset: z.number().int().positive() });
export type BroadcastResponse = z.infer<typeof BroadcastResponse>;
