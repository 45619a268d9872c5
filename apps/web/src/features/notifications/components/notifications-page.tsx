"use client";

import { useState } from "react";
import { DesktopAlertsButton } from "./desktop-alerts";
import { NotificationCost } from "./notification-cost";
import { NotificationItem } from "./notification-item";
import { NotificationPreferences } from "./notification-preferences";
import { useNotifications, useNotificationsStore } from "./notifications-provider";

/** /notifications: the whole list (older pages on demand), read state, preferences and the cost. */
export function NotificationsPage() {
  const store = useNotificationsStore();
  const { items, unread, phase, error, hasMore, loadingOlder, olderError } = useNotifications();
  const [markAllError, setMarkAllError] = useState<string | null>(null);

  async function markAllRead() {
    const result = await store.markAllRead();
    setMarkAllError(result.ok ? null : result.message);
  }

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <section aria-labelledby="notifications-heading" className="space-y-3">
        <div className="flex flex-wrap items-center gap-3">
          <h1 id="notifications-heading" className="text-2xl font-semibold tracking-tight">
            Notifications
          </h1>
          <p role="status" aria-label="Unread" className="text-sm text-neutral-600 tabular-nums dark:text-neutral-400">
            {unread} unread
          </p>
          <div className="ml-auto flex items-center gap-2">
            <DesktopAlertsButton />
            <button
              type="button"
              onClick={() => void markAllRead()}
              disabled={unread === 0}
              className="rounded-md border border-neutral-300 px-3 py-1.5 text-sm font-medium hover:bg-neutral-100 disabled:opacity-50 dark:border-neutral-700 dark:hover:bg-neutral-900"
            >
              Mark all read
            </button>
          </div>
        </div>
        {markAllError && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {markAllError}
          </p>
        )}
        {phase === "error" ? (
          <div role="alert" className="space-y-2 text-sm">
            <p>{error}</p>
            <button type="button" onClick={store.retry} className="rounded-md bg-neutral-900 px-3 py-1.5 font-medium text-white dark:bg-neutral-100 dark:text-neutral-900">
              Try again
            </button>
          </div>
        ) : phase === "loading" && items.length === 0 ? (
          <p role="status" className="text-sm text-neutral-500">
            Loading notifications…
          </p>
        ) : items.length === 0 ? (
          <p className="text-sm text-neutral-500">Nothing yet. When someone writes @{store.me.name} in a room you are in, it shows here.</p>
        ) : (
          <ul
            aria-label="All notifications"
            className="divide-y divide-neutral-100 rounded-lg border border-neutral-200 dark:divide-neutral-800 dark:border-neutral-800"
          >
            {items.map((notification) => (
              <NotificationItem key={notification.id} notification={notification} onMarkRead={store.markRead} />
            ))}
          </ul>
        )}
        {hasMore && (
          <button
            type="button"
            onClick={store.loadOlder}
            disabled={loadingOlder}
            className="rounded-md border border-neutral-300 px-3 py-1.5 text-sm font-medium hover:bg-neutral-100 disabled:opacity-60 dark:border-neutral-700 dark:hover:bg-neutral-900"
          >
            {loadingOlder ? "Loading…" : "Load older"}
          </button>
        )}
        {olderError && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            Couldn&apos;t load older notifications: {olderError}
          </p>
        )}
      </section>
      <div className="space-y-6">
        <NotificationPreferences />
        <NotificationCost />
      </div>
    </div>
  );
}
