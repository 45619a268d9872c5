"use client";

// The reconnect storm: the service restarts under 1,000 clients. A browser cannot run a
// thousand clients, so this panel shows the last `pnpm bench:lab` run: its figures file
// (docs/transports/reconnect-storm.json, written by the bench with --docs, never by hand) is
// imported at build time and drawn with uPlot — static, bundled, nothing fetched.
import type uPlot from "uplot";
import figures from "../../../../../../docs/transports/reconnect-storm.json";
import { UplotChart } from "../components/uplot-chart";

type StormRow = (typeof figures.rows)[number];

const AXIS = { stroke: "#737373", grid: { stroke: "rgba(115,115,115,0.15)" }, ticks: { stroke: "rgba(115,115,115,0.3)" } };
const COMMAND = "pnpm bench:lab --scenarios storm";

// The pair of one transport (WebSocket when measured): the same N, with and without jitter.
const transport = figures.rows.find((row) => row.transport === "websocket")?.transport ?? figures.rows[0]?.transport;
const fixed = figures.rows.find((row) => row.transport === transport && !row.jitter);
const jittered = figures.rows.find((row) => row.transport === transport && row.jitter);
// Both charts on one time axis and one y scale, so the two curves compare by eye.
const buckets = Math.max(fixed?.requests.length ?? 0, jittered?.requests.length ?? 0);
const peak = Math.max(fixed?.peakRequests ?? 0, jittered?.peakRequests ?? 0, 1);

function curve(row: StormRow): uPlot.AlignedData {
  const seconds = Array.from({ length: buckets }, (_, i) => (i * row.bucketMs) / 1000);
  return [seconds, seconds.map((_, i) => row.requests[i] ?? 0)];
}

function options(row: StormRow, color: string): Omit<uPlot.Options, "width" | "height"> {
  return {
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: false }, y: { range: [0, peak] } },
    axes: [
      { ...AXIS, label: "s since the service listened again" },
      { ...AXIS, label: `requests / ${row.bucketMs} ms`, size: 64 },
    ],
    series: [{}, { label: "requests", stroke: color, fill: `${color}33`, width: 1, points: { show: false } }],
  };
}

const seconds = (ms: number | null) => (ms === null ? "not all back" : `${(ms / 1000).toFixed(1)} s`);

function Side({ row, heading, code, color }: { row: StormRow; heading: string; code: string; color: string }) {
  const label = `Reconnect storm, ${row.jitter ? "full jitter" : "no jitter"}: requests per ${row.bucketMs} ms`;
  return (
    <div className="flex min-w-0 flex-col gap-2">
      <h4 className="font-semibold">{heading}</h4>
      <code className="rounded bg-neutral-100 px-2 py-1 text-xs dark:bg-neutral-900">{code}</code>
      <UplotChart label={label} options={options(row, color)} data={curve(row)} height={200} />
      <dl className="grid grid-cols-2 gap-x-3 text-sm" data-testid={row.jitter ? "storm-jitter" : "storm-no-jitter"}>
        <dt>Peak</dt>
        <dd>
          <strong>{row.peakRequests}</strong> requests in 100 ms
        </dd>
        <dt>All {row.opened.toLocaleString("en-US")} back</dt>
        <dd>{seconds(row.allBackMs)} after the restart</dd>
        <dt>Events lost / duplicated</dt>
        <dd>
          {row.lost} / {row.duplicates} of {row.published} (resumed by cursor)
        </dd>
      </dl>
    </div>
  );
}

export function ReconnectStorm() {
  if (!fixed || !jittered) return <p className="text-sm">No reconnect-storm run in docs/transports/reconnect-storm.json yet: run {COMMAND}.</p>;
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm">
        {fixed.clients.toLocaleString("en-US")} SDK clients on {transport}; the service is killed and comes back on the same port after{" "}
        {seconds(fixed.downtimeMs)}. Every request that reaches the new process is counted there, per {fixed.bucketMs} ms.
      </p>
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <Side
          row={fixed}
          heading="Cause: every client retries at the same instant"
          code="reconnect: { jitter: false } // waits 0.5, 1, 2, 4 … s: the same for all"
          color="#ef4444"
        />
        <Side row={jittered} heading="Fix: full-jitter backoff (the SDK's default)" code="delay = random(0, min(30 s, 0.5 s · 2^attempt))" color="#22c55e" />
      </div>
      <p className="text-sm text-neutral-600 dark:text-neutral-400">
        Jitter lowers the peak {(fixed.peakRequests / Math.max(1, jittered.peakRequests)).toFixed(1)}× and pays with a longer tail. Measured{" "}
        {figures.startedAt.slice(0, 10)} on {figures.machine}. Reproduce: <code>{COMMAND}</code>, then <code>pnpm bench:lab --from … --docs</code> (see docs/transports.md).
      </p>
    </div>
  );
}
