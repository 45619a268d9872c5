export { createMentions, deleteMentionsOf, mentionRecipients, MENTION_RECIPIENTS_MAX } from "./mentions";
export { broadcastStateOf, listNotifications, unreadCount, type BroadcastState, type ListedNotification, type OwnNotification } from "./read-model";
export { markAllNotificationsRead, markNotificationRead, READ_BROADCASTS_ABOVE_MARK } from "./read-state";
export { createBroadcast, deleteBroadcastsBefore, deleteNotificationsBefore } from "./broadcasts";
export { notificationPreferences, setNotificationPreferences, type NotificationPreferencesRow } from "./preferences";
export { createInvite } from "./invites";
