"use client";

import type { Notification } from "@repo/protocol";
import Link from "next/link";
import { useState } from "react";
import { useRequestedTransport } from "@/components/realtime-provider";
import type { ActionResult } from "../state/notifications-snapshot";
import { inviteHref, mentionHref } from "./notification-links";

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

interface NotificationItemProps {
  notification: Notification;
  onMarkRead: (id: string) => Promise<ActionResult>;
  /** Called when the person follows the notification's link (the drop-down closes). */
  onOpen?: () => void;
}

/**
 * One notification: who or what, its text (plain text: React escapes it), when, and whether it
 * is read. A mention links to its room; following it marks it read.
 */
export function NotificationItem({ notification, onMarkRead, onOpen }: NotificationItemProps) {
  const transport = useRequestedTransport();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function markRead() {
    setBusy(true);
    const result = await onMarkRead(notification.id);
    setBusy(false);
    setError(result.ok ? null : result.message);
  }

  const createdAt = new Date(notification.createdAt);
  return (
    <li
      data-testid="notification"
      data-read={notification.read}
      className={`flex gap-3 px-3 py-2.5 ${notification.read ? "" : "bg-blue-50/60 dark:bg-blue-950/30"}`}
    >
      <span
        aria-hidden="true"
        className={`mt-1.5 inline-block size-2 shrink-0 rounded-full ${notification.read ? "bg-transparent" : "bg-blue-600"}`}
      />
      <div className="min-w-0 flex-1 text-sm">
        {notification.kind === "mention" ? (
          <>
            <p>
              <span className="font-medium">{notification.author.name}</span> mentioned you
            </p>
            <Link
              href={mentionHref(notification, transport)}
              onClick={() => {
                if (!notification.read) void onMarkRead(notification.id);
                onOpen?.();
              }}
              className="line-clamp-3 break-words whitespace-pre-wrap text-neutral-700 underline-offset-2 hover:underline dark:text-neutral-300"
            >
              {notification.excerpt}
            </Link>
          </>
        ) : notification.kind === "invite" ? (
          <>
            <p>
              <span className="font-medium">{notification.from.name}</span> invited you to a game
            </p>
            <Link
              href={inviteHref(notification, transport)}
              onClick={() => {
                if (!notification.read) void onMarkRead(notification.id);
                onOpen?.();
              }}
              className="text-neutral-700 underline underline-offset-2 dark:text-neutral-300"
            >
              Join the game
            </Link>
          </>
        ) : (
          <>
            <p className="font-medium">
              {notification.title}
              {notification.silent && <span className="ml-2 text-xs font-normal text-neutral-500">silent</span>}
            </p>
            <p className="break-words whitespace-pre-wrap text-neutral-700 dark:text-neutral-300">{notification.body}</p>
          </>
        )}
        <p className="mt-0.5 text-xs text-neutral-500">
          <time dateTime={notification.createdAt}>{timeFormat.format(createdAt)}</time>
          <span className="sr-only">{notification.read ? ", read" : ", unread"}</span>
        </p>
        {error && (
          <p role="alert" className="text-xs text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
      </div>
      {!notification.read && (
        <button
          type="button"
          onClick={() => void markRead()}
          disabled={busy}
          className="h-fit shrink-0 rounded px-2 py-1 text-xs font-medium text-neutral-600 hover:bg-neutral-100 disabled:opacity-60 dark:text-neutral-400 dark:hover:bg-neutral-800"
        >
          Mark read
        </button>
      )}
    </li>
  );
}
