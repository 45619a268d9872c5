import type { Notification, NotificationPreferences } from "@repo/protocol";

export type NotificationsPhase = "loading" | "ready" | "error";

/** What notifications cost on one transport, as this tab received them (since it loaded). */
export interface NotifyTraffic {
  /** Events delivered on `notify:<me>` and `notify:broadcast`. */
  events: number;
  /** Those events' size as JSON (the payload as sent; the transport's framing not included). */
  bytes: number;
}

/** What React reads (a new object after every change). */
export interface NotificationsSnapshot {
  phase: NotificationsPhase;
  error: string | null;
  /** Newest first. */
  items: Notification[];
  /** Unread, as the service counts it (silent broadcasts excluded). */
  unread: number;
  hasMore: boolean;
  loadingOlder: boolean;
  olderError: string | null;
  /** Null until loaded. */
  preferences: NotificationPreferences | null;
  /** By transport name. */
  traffic: Readonly<Record<string, NotifyTraffic>>;
}

export type ActionResult = { ok: true } | { ok: false; message: string };
