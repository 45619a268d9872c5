"use client";

import Link from "next/link";
import { useEffect, useId, useRef, useState } from "react";
import { useRequestedTransport } from "@/components/realtime-provider";
import { hrefWith } from "@/lib/transport";
import { DesktopAlertsButton } from "./desktop-alerts";
import { NotificationItem } from "./notification-item";
import { useNotifications, useNotificationsStore } from "./notifications-provider";

/** Notifications in the drop-down (the rest are on /notifications). */
const LATEST_SHOWN = 6;

const countFormat = new Intl.NumberFormat("en");

/** "3", or "99+" past 99 (the exact count is in the button's name). */
function badgeText(unread: number): string {
  return unread > 99 ? "99+" : countFormat.format(unread);
}

/** The header's bell: the unread count as a badge, and a drop-down of the latest notifications. */
export function NotificationBell() {
  const store = useNotificationsStore();
  const { items, unread, phase, error } = useNotifications();
  const transport = useRequestedTransport();
  const [open, setOpen] = useState(false);
  const [markAllError, setMarkAllError] = useState<string | null>(null);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  // Closes on Escape (focus back on the bell) and on a click outside.
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      button.current?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      if (event.target instanceof Node && !root.current?.contains(event.target)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);

  async function markAllRead() {
    const result = await store.markAllRead();
    setMarkAllError(result.ok ? null : result.message);
  }

  const latest = items.slice(0, LATEST_SHOWN);
  return (
    <div ref={root} className="relative">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={unread === 0 ? "Notifications" : `Notifications, ${unread} unread`}
        onClick={() => setOpen((value) => !value)}
        className="relative rounded-md p-1.5 text-neutral-700 hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 dark:text-neutral-300 dark:hover:bg-neutral-900"
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="1.8">
          <path strokeLinecap="round" strokeLinejoin="round" d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        {unread > 0 && (
          <span
            data-testid="unread-badge"
            aria-hidden="true"
            className="absolute -top-1 -right-1 min-w-[1.125rem] rounded-full bg-red-600 px-1 text-center text-[0.6875rem] leading-[1.125rem] font-semibold text-white tabular-nums"
          >
            {badgeText(unread)}
          </span>
        )}
      </button>
      {open && (
        <div
          id={panelId}
          role="region"
          aria-label="Latest notifications"
          className="absolute right-0 z-40 mt-2 w-96 max-w-[calc(100vw-2rem)] overflow-hidden rounded-lg border border-neutral-200 bg-white shadow-lg dark:border-neutral-700 dark:bg-neutral-950"
        >
          <div className="flex items-center justify-between gap-2 border-b border-neutral-200 px-3 py-2 dark:border-neutral-800">
            <h2 className="text-sm font-semibold">Notifications</h2>
            <button
              type="button"
              onClick={() => void markAllRead()}
              disabled={unread === 0}
              className="rounded px-2 py-1 text-xs font-medium text-neutral-700 hover:bg-neutral-100 disabled:opacity-50 dark:text-neutral-300 dark:hover:bg-neutral-800"
            >
              Mark all read
            </button>
          </div>
          {markAllError && (
            <p role="alert" className="px-3 pt-2 text-xs text-red-700 dark:text-red-400">
              {markAllError}
            </p>
          )}
          {phase === "error" ? (
            <p role="alert" className="px-3 py-4 text-sm">
              {error}{" "}
              <button type="button" onClick={store.retry} className="font-medium underline">
                Try again
              </button>
            </p>
          ) : latest.length === 0 ? (
            <p className="px-3 py-4 text-sm text-neutral-500">{phase === "loading" ? "Loading…" : "Nothing yet."}</p>
          ) : (
            <ul className="max-h-96 divide-y divide-neutral-100 overflow-y-auto dark:divide-neutral-800">
              {latest.map((notification) => (
                <NotificationItem
                  key={notification.id}
                  notification={notification}
                  onMarkRead={store.markRead}
                  onOpen={() => setOpen(false)}
                />
              ))}
            </ul>
          )}
          <div className="flex items-center justify-between gap-2 border-t border-neutral-200 px-3 py-2 dark:border-neutral-800">
            <Link
              href={hrefWith("/notifications", "", "transport", transport)}
              onClick={() => setOpen(false)}
              className="text-sm font-medium text-blue-700 hover:underline dark:text-blue-400"
            >
              See all
            </Link>
            <DesktopAlertsButton />
          </div>
        </div>
      )}
    </div>
  );
}
