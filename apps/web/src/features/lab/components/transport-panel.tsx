"use client";

import type { RealtimeClient } from "@repo/client";
import type { TransportName } from "@repo/protocol";
import { useClientStatus } from "@/components/realtime-provider";
import { TRANSPORT_LABELS } from "@/lib/transport";
import { TRANSPORT_WORDS } from "../lab-words";
import type { TransportRecorder } from "../state/transport-recorder";
import { TransportCharts } from "./transport-charts";
import { WireInspector } from "./wire-inspector";

export const TRANSPORT_COLORS: Record<TransportName, string> = {
  polling: "#f59e0b",
  "long-polling": "#8b5cf6",
  sse: "#10b981",
  websocket: "#3b82f6",
};

function ms(value: number | null): string {
  return value === null ? "–" : `${Math.round(value)} ms`;
}

function perMessage(total: number, messages: number, unit: string): string {
  return messages === 0 ? "–" : `${(total / messages).toFixed(total / messages < 10 ? 2 : 0)} ${unit}`;
}

/** One transport: its status, live numbers beside the explainer's words, its charts and its wire. */
export function TransportPanel({ transport, client, recorder, tick }: { transport: TransportName; client: RealtimeClient; recorder: TransportRecorder; tick: number }) {
  const label = TRANSPORT_LABELS[transport];
  const words = TRANSPORT_WORDS[transport];
  const status = useClientStatus(client);
  const metrics = client.metrics();
  const empty = recorder.emptyShare();
  const headingId = `lab-${transport}`;
  return (
    <section aria-labelledby={headingId} data-transport={transport} className="flex min-w-0 flex-col gap-3 rounded-lg border border-neutral-200 p-3 dark:border-neutral-800">
      <header className="flex items-baseline justify-between gap-2">
        <h2 id={headingId} className="text-base font-semibold" style={{ color: TRANSPORT_COLORS[transport] }}>
          {label}
        </h2>
        <span className="text-xs text-neutral-500" aria-label={`${label} connection: ${status}`}>
          {status}
        </span>
      </header>

      <dl className="grid grid-cols-2 gap-x-3 gap-y-1 text-sm" data-tick={tick}>
        <dt className="text-neutral-500">Messages</dt>
        <dd data-testid="messages" className="text-right tabular-nums">{recorder.messages}</dd>
        <dt className="text-neutral-500">Latency p50 / p99</dt>
        <dd data-testid="latency" className="text-right tabular-nums">
          {ms(recorder.percentile(0.5))} / {ms(recorder.percentile(0.99))}
        </dd>
        <dt className="text-neutral-500">Wire bytes per message</dt>
        <dd className="text-right tabular-nums">{perMessage(recorder.wireBytesTotal, recorder.messages, "B")}</dd>
        <dt className="text-neutral-500">Requests per message</dt>
        <dd className="text-right tabular-nums">{perMessage(recorder.requestsTotal, recorder.messages, "")}</dd>
        <dt className="text-neutral-500">Empty answers</dt>
        <dd className="text-right tabular-nums">{empty === null ? "–" : `${Math.round(empty * 100)} %`}</dd>
        <dt className="text-neutral-500">Reconnects · gaps</dt>
        <dd className="text-right tabular-nums">
          {metrics.reconnects} · {recorder.gaps}
        </dd>
      </dl>

      <TransportCharts label={label} color={TRANSPORT_COLORS[transport]} recorder={recorder} tick={tick} />

      <details className="text-sm" open>
        <summary className="cursor-pointer font-medium">When to pick it, and what it costs here</summary>
        <p className="mt-1">{words.pickWhen}</p>
        <table className="mt-2 w-full text-xs">
          <caption className="sr-only">{label}: the explainer&apos;s words beside this page&apos;s numbers</caption>
          <thead>
            <tr className="text-left text-neutral-500">
              <th scope="col" className="font-medium">Row</th>
              <th scope="col" className="font-medium">Explainer</th>
              <th scope="col" className="font-medium">Measured here</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row" className="text-left font-normal">Latency</th>
              <td>{words.latency}</td>
              <td>p50 {ms(recorder.percentile(0.5))}</td>
            </tr>
            <tr>
              <th scope="row" className="text-left font-normal">Efficiency</th>
              <td>{words.efficiency}</td>
              <td>{perMessage(recorder.wireBytesTotal, recorder.messages, "B/msg")}</td>
            </tr>
            <tr>
              <th scope="row" className="text-left font-normal">Server load</th>
              <td>{words.serverLoad}</td>
              <td>{perMessage(recorder.requestsTotal, recorder.messages, "req/msg")}</td>
            </tr>
            <tr>
              <th scope="row" className="text-left font-normal">Communication</th>
              <td>{words.communication}</td>
              <td>{transport === "websocket" ? "commands on the socket" : "commands as POSTs"}</td>
            </tr>
            <tr>
              <th scope="row" className="text-left font-normal">Complexity</th>
              <td>{words.complexity}</td>
              <td>see docs/transports.md</td>
            </tr>
            <tr>
              <th scope="row" className="text-left font-normal">Browser support</th>
              <td>{words.browserSupport}</td>
              <td>{status === "open" ? "works in this browser" : status}</td>
            </tr>
            <tr>
              <th scope="row" className="text-left font-normal">Best for</th>
              <td colSpan={2}>{words.bestFor}</td>
            </tr>
          </tbody>
        </table>
        <p className="mt-2 text-xs text-neutral-600 dark:text-neutral-400">{words.here}</p>
      </details>

      <div>
        <h3 className="mb-1 text-sm font-medium">Wire</h3>
        <WireInspector label={label} rows={recorder.wire} />
      </div>
    </section>
  );
}
