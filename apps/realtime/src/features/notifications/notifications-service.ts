import {
  createBroadcast,
  createInvite,
  createMentions,
  deleteMentionsOf,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  mentionRecipients,
  notificationPreferences,
  setNotificationPreferences,
  unreadCount,
  type Database,
} from "@repo/db";
import {
  BROADCAST_TOPIC,
  BROADCAST_TOPIC_ID,
  NOTIFY_EVENTS,
  NOTIFY_LIMITS,
  ProtocolError,
  notifyTopic,
  type BroadcastResponse,
  type ChatMessage,
  type CommandResultOf,
  type NotificationPreferences,
  type NotificationsResponse,
  type NotifyEvent,
  type User,
} from "@repo/protocol";
import type { FastifyBaseLogger } from "fastify";
import type { Hub } from "../../hub/hub";
import { mentionCandidates, normalizedName } from "./mentions";
import { broadcastToWire, listedToWire, ownToWire } from "./wire";

export interface NotificationsServiceDeps {
  hub: Hub;
  db: Database;
  log: FastifyBaseLogger;
}

/**
 * The notification rules, whatever the transport: mentions made from chat
 * messages (stored once per user and message, then published on the
 * recipient's `notify:<userId>`), broadcasts (one row, one event on
 * `notify:broadcast`), read state and preferences (each change published on
 * the user's topic, so their other tabs and devices follow).
 */
export function createNotificationsService(deps: NotificationsServiceDeps) {
  const { hub, db, log } = deps;

  function publish<T extends NotifyEvent["type"]>(topic: string, type: T, payload: Extract<NotifyEvent, { type: T }>["payload"]) {
    return hub.publish(topic, type, payload);
  }

  return {
    /** Topic read rule for `notify:<id>`: one's own topic, and the shared broadcast topic. */
    canRead(user: User, id: string): boolean {
      return id === user.id || id === BROADCAST_TOPIC_ID;
    },

    /**
     * A message was posted or edited: notify every member it mentions who has
     * not been notified of it yet (never its author, never in a room they muted).
     */
    async onMessage(message: ChatMessage): Promise<void> {
      if (message.deletedAt !== null) return;
      const names = mentionCandidates(message.text);
      if (names.length === 0) return;
      const wanted = new Set(names);
      const members = await mentionRecipients(db.prisma, { roomId: message.roomId, authorId: message.author.id, names });
      // The database compares case as its engine does; this is the rule (NFC, lowercased).
      const userIds = members.filter((m) => wanted.has(normalizedName(m.name))).map((m) => m.id);
      const created = await createMentions(db.prisma, {
        roomId: message.roomId,
        messageId: message.id,
        actorId: message.author.id,
        excerpt: [...message.text].slice(0, NOTIFY_LIMITS.excerptChars).join(""),
        userIds,
      });
      for (const row of created) {
        const notification = ownToWire({ ...row, actor: message.author });
        const unread = await unreadCount(db.prisma, row.userId);
        await publish(notifyTopic(row.userId), NOTIFY_EVENTS.notificationCreated, { notification, unread });
      }
      if (created.length > 0) log.debug({ messageId: message.id, notified: created.length }, "mentions notified");
    },

    /** A player invited the user to a game: one notification per (user, game), whatever the retries; a link that joins. */
    async onInvite(invite: { gameId: string; userId: string; from: User }): Promise<void> {
      const row = await createInvite(db.prisma, { userId: invite.userId, gameId: invite.gameId, actorId: invite.from.id });
      if (!row) return;
      const notification = ownToWire({ ...row, actor: invite.from });
      const unread = await unreadCount(db.prisma, row.userId);
      await publish(notifyTopic(row.userId), NOTIFY_EVENTS.notificationCreated, { notification, unread });
      log.debug({ gameId: invite.gameId }, "invite notified");
    },

    /** A message was deleted: its mentions go too (their excerpt is its text), live on each recipient's topic. */
    async onMessageDeleted(messageId: string): Promise<void> {
      for (const { id, userId } of await deleteMentionsOf(db.prisma, messageId)) {
        const unread = await unreadCount(db.prisma, userId);
        await publish(notifyTopic(userId), NOTIFY_EVENTS.notificationRemoved, { id, unread });
      }
    },

    async markRead(user: User, id: string): Promise<CommandResultOf<"notify.markRead">> {
      const outcome = await markNotificationRead(db.prisma, user.id, id);
      if (outcome === "forbidden") throw new ProtocolError("forbidden", "This notification is someone else's");
      if (outcome === "not_found") throw new ProtocolError("not_found", "No such notification");
      const unread = await unreadCount(db.prisma, user.id);
      await publish(notifyTopic(user.id), NOTIFY_EVENTS.notificationRead, { id, unread });
      return { id, unread };
    },

    async markAllRead(user: User): Promise<CommandResultOf<"notify.markAllRead">> {
      const readThrough = await markAllNotificationsRead(db.prisma, user.id);
      const unread = await unreadCount(db.prisma, user.id);
      await publish(notifyTopic(user.id), NOTIFY_EVENTS.allRead, { readThrough, unread });
      return { readThrough, unread };
    },

    async preferences(user: User): Promise<NotificationPreferences> {
      return notificationPreferences(db.prisma, user.id);
    },

    async setPreferences(
      user: User,
      input: { silentBroadcasts?: boolean; mutedRooms?: string[] },
    ): Promise<CommandResultOf<"notify.setPreferences">> {
      const outcome = await setNotificationPreferences(db.prisma, user.id, input);
      if ("unknownRooms" in outcome) {
        throw new ProtocolError("not_found", `No room ${outcome.unknownRooms.join(", ")}`, {
          issues: [{ path: ["payload", "mutedRooms"], message: "Unknown room" }],
        });
      }
      await publish(notifyTopic(user.id), NOTIFY_EVENTS.preferencesChanged, { preferences: outcome.preferences });
      return { preferences: outcome.preferences };
    },

    /** One page, newest first, with the unread count and both topics' positions (read first: no gap). */
    async list(user: User, query: { before?: string; limit: number }): Promise<NotificationsResponse> {
      const [own, shared] = await Promise.all([hub.head(notifyTopic(user.id)), hub.head(BROADCAST_TOPIC)]);
      const page = await listNotifications(db.prisma, user.id, query);
      const unread = await unreadCount(db.prisma, user.id);
      return {
        notifications: page.items.map((item) => listedToWire(item, page.state.silentBroadcasts)),
        unread,
        nextBefore: page.nextBefore,
        positions: { user: { epoch: own.epoch, offset: own.offset }, broadcast: { epoch: shared.epoch, offset: shared.offset } },
      };
    },

    /** The operator's broadcast: one row, one event for everyone. */
    async broadcast(input: { title: string; body: string }): Promise<BroadcastResponse> {
      const row = await createBroadcast(db.prisma, input);
      const notification = broadcastToWire(row, false, false);
      const event = await publish(BROADCAST_TOPIC, NOTIFY_EVENTS.broadcastCreated, { notification });
      log.info({ broadcastId: row.id }, "broadcast sent");
      return { notification, topic: event.topic, offset: event.offset };
    },
  };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;
