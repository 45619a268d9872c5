"use client";

import { LOBBY_ROOM, type Notification } from "@repo/protocol";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useRequestedTransport } from "@/components/realtime-provider";
import { alertIfHidden } from "./desktop-alerts";
import { inviteHref, mentionHref, notificationSummary } from "./notification-links";
import { useNotificationsStore } from "./notifications-provider";

/** How long a toast stays. */
const TOAST_MS = 6000;
/** Toasts shown at once (the oldest goes first). */
const TOASTS_MAX = 3;

/**
 * A toast for each notification that arrives live while the person is elsewhere in the app (not
 * reading the room the mention is in), never for a silent broadcast (the store does not report
 * those); a system notification too while the tab is hidden, if the person allowed them.
 */
export function NotificationToasts() {
  const store = useNotificationsStore();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const transport = useRequestedTransport();
  const [toasts, setToasts] = useState<Notification[]>([]);
  // Where the person is, read when a notification arrives (not a reason to subscribe again).
  const openRoom = useRef<string | null>(null);
  const roomInView = pathname === "/chat" ? (searchParams.get("room") ?? LOBBY_ROOM.id) : null;
  useEffect(() => {
    openRoom.current = roomInView;
  }, [roomInView]);

  useEffect(() => {
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const off = store.onArrival((notification) => {
      const summary = notificationSummary(notification);
      alertIfHidden(summary.title, summary.body, notification.id);
      if (notification.kind === "mention" && notification.roomId === openRoom.current) return; // reading it already
      setToasts((current) => [...current.filter((t) => t.id !== notification.id), notification].slice(-TOASTS_MAX));
      const timer = setTimeout(() => {
        timers.delete(timer);
        setToasts((current) => current.filter((t) => t.id !== notification.id));
      }, TOAST_MS);
      timers.add(timer);
    });
    return () => {
      off();
      for (const timer of timers) clearTimeout(timer);
    };
  }, [store]);

  const dismiss = (id: string) => setToasts((current) => current.filter((t) => t.id !== id));

  return (
    <section
      aria-label="New notifications"
      aria-live="polite"
      className="pointer-events-none fixed right-4 bottom-4 z-50 flex w-80 max-w-[calc(100vw-2rem)] flex-col gap-2"
    >
      {toasts.map((notification) => {
        const { title, body } = notificationSummary(notification);
        return (
          <div
            key={notification.id}
            role="status"
            data-testid="notification-toast"
            className="pointer-events-auto rounded-lg border border-neutral-200 bg-white p-3 text-sm shadow-lg dark:border-neutral-700 dark:bg-neutral-900"
          >
            <div className="flex items-start gap-2">
              <div className="min-w-0 flex-1">
                <p className="font-medium">{title}</p>
                {notification.kind === "mention" ? (
                  <Link
                    href={mentionHref(notification, transport)}
                    onClick={() => dismiss(notification.id)}
                    className="line-clamp-2 break-words text-neutral-700 underline-offset-2 hover:underline dark:text-neutral-300"
                  >
                    {body}
                  </Link>
                ) : notification.kind === "invite" ? (
                  <Link
                    href={inviteHref(notification, transport)}
                    onClick={() => dismiss(notification.id)}
                    className="break-words text-neutral-700 underline underline-offset-2 dark:text-neutral-300"
                  >
                    {body}
                  </Link>
                ) : (
                  <p className="line-clamp-3 break-words whitespace-pre-wrap text-neutral-700 dark:text-neutral-300">{body}</p>
                )}
              </div>
              <button
                type="button"
                onClick={() => dismiss(notification.id)}
                aria-label="Dismiss"
                className="rounded px-1.5 text-neutral-500 hover:bg-neutral-100 dark:hover:bg-neutral-800"
              >
                ×
              </button>
            </div>
          </div>
        );
      })}
    </section>
  );
}
