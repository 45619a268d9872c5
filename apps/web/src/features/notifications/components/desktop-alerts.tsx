"use client";

import { useCallback, useSyncExternalStore } from "react";

export type AlertPermission = NotificationPermission | "unsupported";

// The permission is the browser's; nothing tells a page when it changes, so it is re-read after
// each request this page makes (and when the tab becomes visible again).
const listeners = new Set<() => void>();

function permission(): AlertPermission {
  return typeof window !== "undefined" && "Notification" in window ? window.Notification.permission : "unsupported";
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  document.addEventListener("visibilitychange", onChange);
  return () => {
    listeners.delete(onChange);
    document.removeEventListener("visibilitychange", onChange);
  };
}

/** Shows a system notification when the tab is hidden and the person allowed them. */
export function alertIfHidden(title: string, body: string, tag: string): void {
  if (permission() !== "granted" || document.visibilityState !== "hidden") return;
  try {
    new window.Notification(title, { body, tag });
  } catch {
    // Some browsers only allow notifications from a service worker: the toast and the badge remain.
  }
}

/**
 * The browser's notification permission and a way to ask for it. Asked for only from a person's
 * click (never on load: browsers penalise sites that ask unprompted, and people deny them).
 */
export function useDesktopAlerts(): { permission: AlertPermission; request: () => void } {
  const current = useSyncExternalStore(subscribe, permission, () => "unsupported" as const);
  const request = useCallback(() => {
    if (permission() !== "default") return;
    void window.Notification.requestPermission().then(() => {
      for (const listener of [...listeners]) listener();
    });
  }, []);
  return { permission: current, request };
}

/** "Alert me when this tab is hidden": a button while the browser has not been asked, else what it answered. */
export function DesktopAlertsButton() {
  const { permission: state, request } = useDesktopAlerts();
  if (state === "unsupported") return null;
  if (state === "granted") return <p className="text-xs text-neutral-500">Desktop alerts are on while this tab is hidden.</p>;
  if (state === "denied") return <p className="text-xs text-neutral-500">Desktop alerts are blocked in this browser.</p>;
  return (
    <button
      type="button"
      onClick={request}
      className="rounded px-2 py-1 text-xs font-medium text-neutral-700 hover:bg-neutral-100 dark:text-neutral-300 dark:hover:bg-neutral-800"
    >
      Alert me when this tab is hidden
    </button>
  );
}
