"use client";

// What the proxy pain panels share: one reader's live numbers, and the note shown when the
// lab proxies are not running. Text is rendered by React (escaped), never as HTML.
import type { ReaderView } from "../state/use-proxy-readers";
import type { ProxiesUp } from "../state/use-proxies-up";

export function ReaderCard({ testId, title, detail, view, tone }: { testId: string; title: string; detail: string; view: ReaderView; tone: "cause" | "fix" }) {
  const border = tone === "cause" ? "border-red-300 dark:border-red-800" : "border-green-300 dark:border-green-800";
  return (
    <div data-testid={testId} className={`flex flex-col gap-1 rounded border p-2 text-sm ${border}`}>
      <div className="font-semibold">{title}</div>
      <div className="text-xs text-neutral-500">{detail}</div>
      <dl className="grid grid-cols-2 gap-x-2 tabular-nums">
        <dt>status</dt>
        <dd data-testid={`${testId}-status`}>{view.status}</dd>
        <dt>events</dt>
        <dd data-testid={`${testId}-events`}>{view.events}</dd>
        <dt>reconnects</dt>
        <dd data-testid={`${testId}-reconnects`}>{view.reconnects}</dd>
        <dt>latency p50</dt>
        <dd>{view.latencyP50 === null ? "–" : `${view.latencyP50} ms`}</dd>
        <dt>largest clump</dt>
        <dd>{view.largestClump}</dd>
        <dt>quiet for</dt>
        <dd>{view.quietMs === null ? "–" : `${(view.quietMs / 1000).toFixed(1)} s`}</dd>
      </dl>
      {view.lastError && (
        <div data-testid={`${testId}-error`} className="text-xs text-red-600 dark:text-red-400">
          {view.lastError}
        </div>
      )}
    </div>
  );
}

export function ProxiesNote({ up }: { up: ProxiesUp }) {
  if (up === "up") return null;
  if (up === "checking") return <p className="text-sm text-neutral-500">Looking for the lab proxies…</p>;
  return (
    <p data-testid="lab-proxies-down" className="text-sm">
      The lab proxies are not running. They are real nginx instances that <code>pnpm dev</code> starts when nginx is installed:
      run <code>bash scripts/ensure-nginx.sh</code>, then <code>pnpm dev</code>.
    </p>
  );
}
