"use client";

import { createClient, type ClientMetrics, type ClientStatus, type RealtimeClient } from "@repo/client";
import type { TransportName } from "@repo/protocol";
import { useRouter, useSearchParams } from "next/navigation";
import { createContext, use, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { env } from "@/env";
import { DEFAULT_TRANSPORT, transportFromParam } from "@/lib/transport";

const RealtimeContext = createContext<RealtimeClient | null>(null);

/**
 * One realtime client per tab, for the signed-in shell. Its transport follows the
 * `?transport=` URL parameter: read at load, and switched live whenever the parameter
 * changes (the header's switcher writes it). Switching keeps every subscription's cursor,
 * so nothing is lost or repeated. When the service moves the client off a switched-off
 * transport, the parameter follows.
 */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const requested = useRequestedTransport();
  const [client] = useState(() =>
    createClient({
      url: env.NEXT_PUBLIC_REALTIME_URL,
      transport: requested ?? DEFAULT_TRANSPORT,
      // A demo app: come back quickly after a restart rather than waiting up to 30 s.
      reconnect: { maxMs: 5000 },
    }),
  );

  useEffect(() => {
    if (requested && requested !== client.transportInUse) client.switchTransport(requested);
  }, [client, requested]);

  // The service switched the transport off and the client moved on its own (a kill switch):
  // the URL, and so the header's switcher, says where it is now.
  const router = useRouter();
  useEffect(
    () =>
      client.on("moved", ({ to }) => {
        const params = new URLSearchParams(window.location.search);
        params.set("transport", to);
        router.replace(`${window.location.pathname}?${params.toString()}${window.location.hash}`, { scroll: false });
      }),
    [client, router],
  );

  // Closed when the shell goes away (sign-out). Deferred a tick, so that React's development
  // double mount (mount, unmount, mount) does not close the client it keeps using.
  const closing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    clearTimeout(closing.current);
    return () => {
      closing.current = setTimeout(() => client.close(), 0);
    };
  }, [client]);

  return <RealtimeContext value={client}>{children}</RealtimeContext>;
}

export function useRealtimeClient(): RealtimeClient {
  const client = use(RealtimeContext);
  if (!client) throw new Error("useRealtimeClient() must be used inside <RealtimeProvider>");
  return client;
}

/** The transport named in the URL, or null when absent or unknown. */
export function useRequestedTransport(): TransportName | null {
  return transportFromParam(useSearchParams().get("transport"));
}

/** The client's connection status, live. */
export function useClientStatus(client: RealtimeClient): ClientStatus {
  return useSyncExternalStore(
    (onChange) => client.on("status", onChange),
    () => client.status,
    () => "idle",
  );
}

/** The client's counters, refreshed every `intervalMs`. */
export function useClientMetrics(client: RealtimeClient, intervalMs = 1000): ClientMetrics {
  const [metrics, setMetrics] = useState(() => client.metrics());
  useEffect(() => {
    const timer = setInterval(() => setMetrics(client.metrics()), intervalMs);
    return () => clearInterval(timer);
  }, [client, intervalMs]);
  return metrics;
}
