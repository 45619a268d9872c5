"use client";

import type { User } from "@repo/protocol";
import { createContext, use, useEffect, useState, useSyncExternalStore, type ReactNode } from "react";
import { useFeatureClient } from "@/components/realtime-provider";
import { NotificationsStore } from "../state/notifications-store";
import type { NotificationsSnapshot } from "../state/notifications-snapshot";

const NotificationsContext = createContext<NotificationsStore | null>(null);

/**
 * One notifications store per tab (the bell, the toasts and /notifications share it, so the
 * topics are followed once), on the notifications feature's client (its own transport flag).
 */
export function NotificationsProvider({ me, children }: { me: User; children: ReactNode }) {
  const client = useFeatureClient("notifications");
  const [store] = useState(() => new NotificationsStore(client, me));
  useEffect(() => {
    store.start();
    return store.stop;
  }, [store]);
  return <NotificationsContext value={store}>{children}</NotificationsContext>;
}

export function useNotificationsStore(): NotificationsStore {
  const store = use(NotificationsContext);
  if (!store) throw new Error("useNotificationsStore() must be used inside <NotificationsProvider>");
  return store;
}

export function useNotifications(): NotificationsSnapshot {
  const store = useNotificationsStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
