"use client";

import { useBooleanFlagDetails, useStringFlagDetails, type EvaluationDetails, type FlagValue } from "@openfeature/react-sdk";
import { browserFallbackMemory, createClient, type ClientMetrics, type ClientStatus, type RealtimeClient } from "@repo/client";
import { FLAG_KEYS, FOLLOW_DEFAULT_TRANSPORT, transportEnabledFlag, type TransportName } from "@repo/protocol";
import { useRouter, useSearchParams } from "next/navigation";
import { createContext, use, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { env } from "@/env";
import { FeatureClients, type FeatureFollowers } from "@/lib/flags/feature-clients";
import { FEATURES, FEATURE_TRANSPORT_FLAGS, assignTransport, type Assignment, type Feature, type ResolvedFlag } from "@/lib/flags/feature-transport";
import { refetchFlags } from "@/lib/flags/ofrep-flags";
import type { FollowerSnapshot } from "@/lib/flags/transport-follower";
import { DEFAULT_TRANSPORT, transportFromParam } from "@/lib/transport";

interface Assigned {
  assignment: Assignment;
  /** The assigned transport's kill switch (null: not known). */
  enabled: boolean | null;
}

interface RealtimeContextValue {
  clients: FeatureClients<RealtimeClient>;
  assigned: Record<Feature, Assigned>;
}

const RealtimeContext = createContext<RealtimeContextValue | null>(null);

/**
 * Whether the SDK's answer came from the service: an error gives back the default we passed, and
 * so does the no-op provider in place before ours is set (with no variant, which the service's
 * evaluations always name).
 */
function fromService(details: EvaluationDetails<FlagValue>): boolean {
  return details.reason !== "ERROR" && details.errorCode === undefined && details.variant !== undefined;
}

/** A string flag's reading, the same object while it stays the same. */
function useStringFlag(key: string, fallback: string): ResolvedFlag {
  const details = useStringFlagDetails(key, fallback);
  const { value } = details;
  const known = fromService(details);
  return useMemo(() => ({ value, fromService: known }), [value, known]);
}

/** A transport's kill switch: on, off, or null while unknown. */
function useKillSwitch(transport: TransportName): boolean | null {
  const details = useBooleanFlagDetails(transportEnabledFlag(transport), true);
  return fromService(details) ? details.value : null;
}

/** Each feature's assignment from the flags (read with the React SDK, so they update live) and the URL. */
function useAssignments(): Record<Feature, Assigned> {
  const override = useRequestedTransport();
  const defaultFlag = useStringFlag(FLAG_KEYS.defaultTransport, DEFAULT_TRANSPORT);
  const chat = useStringFlag(FEATURE_TRANSPORT_FLAGS.chat, FOLLOW_DEFAULT_TRANSPORT);
  const notifications = useStringFlag(FEATURE_TRANSPORT_FLAGS.notifications, FOLLOW_DEFAULT_TRANSPORT);
  const game = useStringFlag(FEATURE_TRANSPORT_FLAGS.game, FOLLOW_DEFAULT_TRANSPORT);
  const websocket = useKillSwitch("websocket");
  const sse = useKillSwitch("sse");
  const longPolling = useKillSwitch("long-polling");
  const polling = useKillSwitch("polling");
  return useMemo(() => {
    const featureFlags: Record<Feature, ResolvedFlag> = { chat, notifications, game };
    const enabled: Record<TransportName, boolean | null> = { websocket, sse, "long-polling": longPolling, polling };
    const byFeature = (feature: Feature): Assigned => {
      const assignment = assignTransport({ feature, override, featureFlag: featureFlags[feature], defaultFlag });
      return { assignment, enabled: enabled[assignment.transport] };
    };
    return { chat: byFeature("chat"), notifications: byFeature("notifications"), game: byFeature("game") };
  }, [override, defaultFlag, chat, notifications, game, websocket, sse, longPolling, polling]);
}

/**
 * The signed-in shell's realtime clients: one per feature, made the first time the feature asks
 * (useFeatureClient), each on the transport its flag assigns (`transport.chat`, …; `default`
 * follows `transport.default`), switched live and in place whenever the flag's value changes
 * (cursors handed over: nothing lost or repeated). `?transport=` in the URL overrides every
 * feature (the header's switcher writes it). When the service moves a client off a transport
 * on its own, the header says so; with an override, the URL follows.
 */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const assigned = useAssignments();
  const [clients] = useState(() => {
    // One memory for the tab's clients: a proxy that blocks WebSocket blocks it for every feature.
    const memory = browserFallbackMemory();
    return new FeatureClients<RealtimeClient>({
      create: (_feature, transport) =>
        createClient({
          url: env.NEXT_PUBLIC_REALTIME_URL,
          transport,
          // A demo app: come back quickly after a restart rather than waiting up to 30 s.
          reconnect: { maxMs: 5000 },
          // Blocked (a proxy refusing the upgrade, buffering SSE): down the chain, remembered per browser.
          fallback: { memory },
        }),
      // After a random pause within the spread the change announces (sized by the service to its
      // audience; none for a small one), so a crowd of tabs does not refetch in the same instant.
      onFlagsChanged: ({ spreadMs = 0 }) => void setTimeout(() => void refetchFlags(), Math.random() * spreadMs),
    });
  });

  useEffect(() => {
    for (const feature of FEATURES) clients.assign(feature, assigned[feature].assignment, assigned[feature].enabled);
  }, [clients, assigned]);

  // The service moved a client while the URL names a transport: the URL (and so the header's
  // switcher) says where it is now, rather than sending the other features back to a transport
  // the service refused.
  const router = useRouter();
  useEffect(
    () =>
      clients.onMoved((_feature, { to }) => {
        const params = new URLSearchParams(window.location.search);
        if (transportFromParam(params.get("transport")) === null) return;
        params.set("transport", to);
        router.replace(`${window.location.pathname}?${params.toString()}${window.location.hash}`, { scroll: false });
      }),
    [clients, router],
  );

  // Closed when the shell goes away (sign-out). Deferred a tick, so that React's development
  // double mount (mount, unmount, mount) does not close the clients it keeps using.
  const closing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    clearTimeout(closing.current);
    return () => {
      closing.current = setTimeout(() => clients.close(), 0);
    };
  }, [clients]);

  const value = useMemo(() => ({ clients, assigned }), [clients, assigned]);
  return <RealtimeContext value={value}>{children}</RealtimeContext>;
}

function useRealtimeContext(): RealtimeContextValue {
  const value = use(RealtimeContext);
  if (!value) throw new Error("Realtime clients are only inside <RealtimeProvider>");
  return value;
}

/** The feature's realtime client (made on first use, on the transport assigned to the feature). */
export function useFeatureClient(feature: Feature): RealtimeClient {
  const { clients, assigned } = useRealtimeContext();
  return clients.client(feature, assigned[feature].assignment, assigned[feature].enabled);
}

/** Every feature's assignment, and the followers of those whose client exists (live). */
export function useFeatureTransports(): { assigned: Record<Feature, Assigned>; followers: FeatureFollowers } {
  const { clients, assigned } = useRealtimeContext();
  const followers = useSyncExternalStore(clients.subscribe, clients.getSnapshot, clients.getSnapshot);
  return { assigned, followers };
}

const NOT_FOLLOWING = () => () => {};
const NO_SNAPSHOT = () => null;

/** A follower's state, live (null when the feature has no client yet). */
export function useFollowerSnapshot(follower: FeatureFollowers[Feature]): FollowerSnapshot | null {
  return useSyncExternalStore(follower?.subscribe ?? NOT_FOLLOWING, follower?.getSnapshot ?? NO_SNAPSHOT, follower?.getSnapshot ?? NO_SNAPSHOT);
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
