"use client";

import { useSyncExternalStore } from "react";

/** A mention's link ends in `#message-<id>` (notification-links.ts). */
const TARGET_HASH = /^#message-([0-9a-f-]{36})$/i;

function subscribe(onChange: () => void) {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

/** The message id the URL's hash points at (`#message-<id>`), or null. */
export function useMessageTarget(): string | null {
  const hash = useSyncExternalStore(
    subscribe,
    () => window.location.hash,
    () => "",
  );
  return TARGET_HASH.exec(hash)?.[1]?.toLowerCase() ?? null;
}
