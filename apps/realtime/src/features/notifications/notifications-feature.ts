import { NOTIFY_LIMITS } from "@repo/protocol";
import { defineFeature } from "../feature";
import "../chat/chat-events";
import "../game/game-events";
import { registerNotificationsRoutes } from "./notifications-routes";
import { createNotificationsService } from "./notifications-service";
import { retentionJob } from "./retention-job";

export interface NotificationsConfig {
  /** The operator's bearer token for broadcasts (OPERATOR_TOKEN); undefined refuses every broadcast. */
  operatorToken: string | undefined;
  /** Notifications and broadcasts older than this many days are deleted (default 30). */
  retentionDays: number;
  /** How often the expiry runs (default hourly; 0 turns it off). */
  retentionIntervalMs: number;
}

export type NotificationsOptions = Partial<NotificationsConfig>;

/**
 * Notifications on `notify:<userId>` (that user only) and `notify:broadcast`
 * (everyone signed in): mentions heard from chat and game invites heard from
 * the game (through the feature events, without importing either), operator
 * broadcasts, read state and preferences.
 */
export function notificationsFeature(options: NotificationsOptions = {}) {
  return defineFeature<NotificationsConfig>({
    name: "notifications",
    config: {
      operatorToken: undefined,
      retentionDays: NOTIFY_LIMITS.retentionDays,
      retentionIntervalMs: 3600_000,
      ...options,
    },
    create(context) {
      const { config } = context;
      const notifications = createNotificationsService({ hub: context.hub, db: context.db, log: context.log });
      context.events.on("chat.messagePosted", ({ message }) => notifications.onMessage(message));
      context.events.on("chat.messageDeleted", ({ messageId }) => notifications.onMessageDeleted(messageId));
      context.events.on("game.invited", (invite) => notifications.onInvite(invite));
      return {
        topics: { notify: (user, id) => notifications.canRead(user, id) },
        commands: {
          "notify.markRead": { run: ({ user }, command) => notifications.markRead(user, command.payload.notificationId) },
          "notify.markAllRead": { run: ({ user }) => notifications.markAllRead(user) },
          "notify.setPreferences": { run: ({ user }, command) => notifications.setPreferences(user, command.payload) },
        },
        routes: (app) => registerNotificationsRoutes(app, { auth: context.auth, notifications, operatorToken: config.operatorToken }),
        jobs: [retentionJob({ db: context.db, log: context.log, retentionDays: config.retentionDays, intervalMs: config.retentionIntervalMs })],
      };
    },
  });
}
