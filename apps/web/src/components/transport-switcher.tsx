"use client";

import type { ClientStatus } from "@repo/client";
import type { TransportName } from "@repo/protocol";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { startTransition, useId, useOptimistic } from "react";
import { FEATURES, FEATURE_LABELS, featureOfPath, type Assignment, type Feature } from "@/lib/flags/feature-transport";
import type { FeatureFollowers } from "@/lib/flags/feature-clients";
import { causeText, changeText, transportLabel } from "@/lib/flags/transport-words";
import { TRANSPORTS, TRANSPORT_LABELS, hrefWith } from "@/lib/transport";
import {
  useClientMetrics,
  useClientStatus,
  useFeatureClient,
  useFeatureTransports,
  useFollowerSnapshot,
  useRequestedTransport,
} from "./realtime-provider";

const STATUS_DOT: Record<ClientStatus, string> = {
  idle: "bg-neutral-400",
  connecting: "bg-amber-500",
  open: "bg-emerald-500",
  reconnecting: "bg-amber-500",
  closed: "bg-red-600",
};

const bytesFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });
const countFormat = new Intl.NumberFormat("en");

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${bytesFormat.format(bytes / 1024)} kB`;
  return `${bytesFormat.format(bytes / (1024 * 1024))} MB`;
}

function formatMs(ms: number): string {
  return `${Math.round(ms)} ms`;
}

/**
 * The header's transport bar. The four transports are an override for every feature (the
 * active one checked: the override, else what this page's feature is on); the connection
 * status and live counters are this page's feature's client (chat on /chat, the game on /game,
 * notifications elsewhere). Below, each feature's transport and why (flag, override, moved by
 * the service), and, announced, each change of it. Choosing a transport rewrites `?transport=`
 * and the realtime provider switches the clients live.
 */
export function TransportSwitcher() {
  const feature = featureOfPath(usePathname());
  // Keyed by the feature: another page's client starts with its own status and counters.
  return <FeatureSwitcher key={feature} feature={feature} />;
}

function FeatureSwitcher({ feature }: { feature: Feature }) {
  const pathname = usePathname();
  const client = useFeatureClient(feature);
  const status = useClientStatus(client);
  const metrics = useClientMetrics(client);
  const { assigned, followers } = useFeatureTransports();
  const page = useFollowerSnapshot(followers[feature]);
  const requested = useRequestedTransport();
  const router = useRouter();
  const searchParams = useSearchParams();
  const name = useId();
  // Checked at once, while the URL change (which switches the clients) is under way.
  const [chosen, setChosen] = useOptimistic(requested);
  const inUse = page?.transport ?? metrics.transport;
  const active = chosen ?? TRANSPORTS.find((transport) => transport === inUse) ?? null;

  function choose(transport: TransportName) {
    startTransition(() => {
      setChosen(transport);
      router.replace(hrefWith(pathname, searchParams, "transport", transport), { scroll: false });
    });
  }

  return (
    <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-2 text-sm">
      <fieldset className="flex items-center gap-2">
        <legend className="sr-only">Transport (every feature)</legend>
        <span aria-hidden="true" className="text-neutral-600 dark:text-neutral-400">
          Transport
        </span>
        <div className="flex flex-wrap rounded-md border border-neutral-300 p-0.5 dark:border-neutral-700">
          {TRANSPORTS.map((transport) => (
            <label
              key={transport}
              className="relative cursor-pointer rounded px-2.5 py-1 font-medium whitespace-nowrap text-neutral-700 has-checked:bg-neutral-900 has-checked:text-white has-focus-visible:outline-2 has-focus-visible:outline-blue-600 hover:bg-neutral-100 has-checked:hover:bg-neutral-900 dark:text-neutral-300 dark:has-checked:bg-neutral-100 dark:has-checked:text-neutral-900 dark:hover:bg-neutral-900"
            >
              <input
                type="radio"
                name={name}
                value={transport}
                checked={active === transport}
                onChange={() => choose(transport)}
                // Invisible but covering its label: the whole pill is the radio's hit area.
                className="absolute inset-0 cursor-pointer appearance-none opacity-0"
              />
              {TRANSPORT_LABELS[transport]}
            </label>
          ))}
        </div>
      </fieldset>
      <p
        role="status"
        aria-label={`Connection: ${status}`}
        className="flex items-center gap-2 text-neutral-600 dark:text-neutral-400"
      >
        <span aria-hidden="true" className={`inline-block size-2.5 rounded-full ${STATUS_DOT[status]}`} />
        <span>
          Connection: <span className="font-medium text-neutral-900 dark:text-neutral-100">{status}</span>
        </span>
      </p>
      <dl
        aria-label="Live counters"
        className="flex flex-wrap gap-x-4 gap-y-1 text-neutral-600 tabular-nums dark:text-neutral-400"
      >
        <Counter label="Requests" value={countFormat.format(metrics.requests)} title="Polls, long polls, streams and sockets opened" />
        <Counter label="Received" value={formatBytes(metrics.bytesReceived)} title="Body and frame bytes received" />
        <Counter label="Events" value={countFormat.format(metrics.events)} title="Events delivered (duplicates dropped)" />
        <Counter
          label="Latency"
          value={metrics.latency.samples === 0 ? "–" : `p50 ${formatMs(metrics.latency.p50)} · p99 ${formatMs(metrics.latency.p99)}`}
          title="Delivery latency: now minus the server's publish time"
        />
      </dl>
      <FeatureTransports assigned={assigned} followers={followers} />
    </div>
  );
}

/** Each feature's transport and why; its changes announced (aria-live). */
function FeatureTransports({ assigned, followers }: Pick<ReturnType<typeof useFeatureTransports>, "assigned" | "followers">) {
  return (
    <div className="flex w-full flex-wrap items-baseline gap-x-6 gap-y-1 text-xs text-neutral-600 dark:text-neutral-400">
      <ul aria-label="Transport per feature" className="flex flex-wrap gap-x-4 gap-y-1">
        {FEATURES.map((feature) => (
          <FeatureTransport key={feature} feature={feature} assigned={assigned[feature].assignment} follower={followers[feature]} />
        ))}
      </ul>
      <div role="log" aria-live="polite" aria-label="Transport changes" className="flex flex-wrap gap-x-4">
        {FEATURES.map((feature) => (
          <LastChange key={feature} feature={feature} follower={followers[feature]} />
        ))}
      </div>
    </div>
  );
}

function FeatureTransport({ feature, assigned, follower }: { feature: Feature; assigned: Assignment; follower: FeatureFollowers[Feature] }) {
  const snapshot = useFollowerSnapshot(follower);
  const transport = snapshot?.transport ?? assigned.transport;
  const cause = snapshot?.cause ?? assigned.source;
  return (
    <li data-feature={feature}>
      <span className="font-medium text-neutral-900 dark:text-neutral-100">{FEATURE_LABELS[feature]}</span>:{" "}
      <span data-testid="feature-transport">{transportLabel(transport)}</span> · <span>{causeText(cause)}</span>
      {!snapshot && <span> (not connected)</span>}
    </li>
  );
}

function LastChange({ feature, follower }: { feature: Feature; follower: FeatureFollowers[Feature] }) {
  const snapshot = useFollowerSnapshot(follower);
  if (!snapshot?.lastChange) return null;
  return <p key={snapshot.lastChange.sequence}>{changeText(feature, snapshot.lastChange)}</p>;
}

function Counter({ label, value, title }: { label: string; value: string; title: string }) {
  return (
    <div className="flex gap-1.5" title={title}>
      <dt>{label}</dt>
      <dd className="font-medium text-neutral-900 dark:text-neutral-100">{value}</dd>
    </div>
  );
}
