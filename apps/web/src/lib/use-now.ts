"use client";

import { useCallback, useSyncExternalStore } from "react";

/**
 * The current time, quantized to `stepMs` and updated every step while `active` (for
 * countdowns). Read through an external store, so rendering stays pure.
 */
export function useNow(stepMs: number, active: boolean): number {
  const subscribe = useCallback(
    (onChange: () => void) => {
      if (!active) return () => undefined;
      const timer = setInterval(onChange, stepMs);
      return () => clearInterval(timer);
    },
    [stepMs, active],
  );
  const read = useCallback(() => Math.floor(Date.now() / stepMs) * stepMs, [stepMs]);
  return useSyncExternalStore(subscribe, read, () => 0);
}
