"use client";

import { TransportName } from "@repo/protocol";
import { useEffect, useState } from "react";
import { TRANSPORT_LABELS } from "@/lib/transport";
import type { GameView } from "../state/game-view";
import type { PlayReadout as Readout } from "../state/game-view-snapshot";

const rateFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const bytesFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });

function formatBytesPerSecond(bytes: number): string {
  return bytes < 1024 ? `${Math.round(bytes)} B/s` : `${bytesFormat.format(bytes / 1024)} kB/s`;
}

function formatMs(ms: number | null): string {
  return ms === null ? "–" : `${Math.round(ms)} ms`;
}

function transportLabel(name: string): string {
  const parsed = TransportName.safeParse(name);
  return parsed.success ? TRANSPORT_LABELS[parsed.data] : name;
}

/** The view's readout, read again every `intervalMs`. */
function useReadout(view: GameView, intervalMs = 500): Readout {
  const [readout, setReadout] = useState(() => view.readout());
  useEffect(() => {
    const timer = setInterval(() => setReadout(view.readout()), intervalMs);
    return () => clearInterval(timer);
  }, [view, intervalMs]);
  return readout;
}

/**
 * What the transport in use costs in play, live: input-to-render latency (my turn sent → its
 * effect drawn), the server's tick rate against the states that arrive (and in how many separate
 * deliveries), requests and bytes per second, late inputs, and the render delay the arrival
 * jitter calls for. Beside it, one explanation for a newcomer.
 */
export function PlayReadout({ view, playing }: { view: GameView; playing: boolean }) {
  const readout = useReadout(view);
  const { rates, latency, inputs } = readout;
  const label = transportLabel(readout.transport);

  return (
    <section aria-labelledby="play-readout-heading" className="space-y-3 rounded-lg border border-neutral-200 p-4 text-sm dark:border-neutral-800">
      <h2 id="play-readout-heading" className="font-semibold">
        What {label} costs in play
      </h2>
      <dl aria-label="Play readout" className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 tabular-nums">
        <Row
          label="Input → render"
          testId="input-latency"
          value={
            latency.samples === 0
              ? playing
                ? "steer to measure"
                : "–"
              : `p50 ${formatMs(latency.p50)} · last ${formatMs(latency.last)} · max ${formatMs(latency.max)}`
          }
          title="From sending a turn to drawing the tick it took effect in"
        />
        <Row
          label="Ticks"
          testId="tick-rates"
          value={`server ${readout.tickHz ?? "–"}/s · received ${rateFormat.format(rates.statesPerSecond)}/s in ${rateFormat.format(rates.deliveriesPerSecond)} deliveries/s`}
          title="States that arrived per second, and how many separate arrivals brought them (over the last 3 s)"
        />
        <Row
          label="Traffic"
          testId="traffic"
          value={`${rateFormat.format(rates.requestsPerSecond)} requests/s · ${rateFormat.format(rates.commandsPerSecond)} commands/s · ${formatBytesPerSecond(rates.bytesPerSecond)} in`}
          title="The tab's whole connection: polls, streams or sockets opened; commands sent; bytes received"
        />
        <Row
          label="Late inputs"
          testId="late-inputs"
          value={`yours ${inputs.late} of ${inputs.sent}${inputs.refused > 0 ? ` (${inputs.refused} refused)` : ""} · everyone ${readout.lateAll}`}
          title="Inputs meant for a tick the server had already run: applied at the next tick (the late rule)"
        />
        <Row
          label="Render delay"
          testId="render-delay"
          value={`${formatMs(readout.renderDelayMs)} behind (arrival jitter ${formatMs(readout.jitterMs)})`}
          title="How far behind the newest state the board is drawn, sized to how unevenly states arrive"
        />
        <Row
          label="Sync"
          testId="desyncs"
          value={`${readout.desyncs} corrected by a snapshot · ${readout.refetches} refetched`}
          title="Snapshots that disagreed with the state computed here, and snapshots fetched after a gap or reset"
        />
      </dl>
      <p className="text-neutral-600 dark:text-neutral-400">
        The server runs the game at a fixed tick. Short polling asks once a second, so a second&apos;s worth of ticks arrives in one lump,
        up to a second late: the board has to be drawn far behind to keep moving, and your turn lands after the tick you meant (late).
        Long polling answers as soon as a tick exists but opens a request per answer; SSE and WebSocket push every tick over one open
        connection, and WebSocket sends your turns on that same socket instead of an HTTP request each.
      </p>
    </section>
  );
}

function Row({ label, value, title, testId }: { label: string; value: string; title: string; testId: string }) {
  return (
    <>
      <dt className="text-neutral-600 dark:text-neutral-400" title={title}>
        {label}
      </dt>
      <dd data-testid={testId} className="font-medium">
        {value}
      </dd>
    </>
  );
}
