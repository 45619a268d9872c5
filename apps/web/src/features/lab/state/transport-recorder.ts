// What one transport's client saw of the lab stream, kept outside React (no re-render per
// message): latency samples over a sliding window, a latency histogram, per-second wire
// traffic, and the last wire events for the inspector. Every buffer is bounded.
import type { ClientMetrics, WireEvent } from "@repo/client";
import type { LabMessage } from "@repo/protocol";

/** Seconds of history the charts show. */
export const WINDOW_SECONDS = 60;
/** Latency points kept for the time chart (200 msg/s × 20 s), trimmed in chunks (not one splice per message). */
export const MAX_LATENCY_POINTS = 4000;
const TRIM_CHUNK = 1000;
/** Wire events kept for the inspector. */
export const INSPECTOR_ROWS = 40;

/** Upper bounds (ms) of the latency histogram's buckets; the last catches the rest. */
export const HISTOGRAM_BOUNDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, Infinity] as const;
export const HISTOGRAM_LABELS = ["≤1", "≤2", "≤5", "≤10", "≤20", "≤50", "≤100", "≤200", "≤500", "≤1k", "≤2k", ">2k"];

export interface SecondSample {
  /** Unix seconds. */
  t: number;
  wireBytes: number;
  requests: number;
  /** Empty poll answers among this second's subscription requests (0–1; null: no request). */
  emptyShare: number | null;
  /** Reconnects so far. */
  reconnects: number;
}

export interface WireRow {
  /** Increasing, for React keys. */
  n: number;
  event: WireEvent;
}

export class TransportRecorder {
  messages = 0;
  gaps = 0;
  lastSeq = 0;
  wireBytesTotal = 0;
  requestsTotal = 0;
  /** Latency points: time (unix s) and latency (ms), oldest first. */
  readonly latencyT: number[] = [];
  readonly latencyMs: number[] = [];
  readonly histogram = new Array<number>(HISTOGRAM_BOUNDS.length).fill(0);
  readonly seconds: SecondSample[] = [];
  readonly wire: WireRow[] = [];
  private wireCount = 0;
  private secondBytes = 0;
  private secondRequests = 0;
  private previous: ClientMetrics | null = null;

  message(payload: LabMessage, now: number): void {
    this.messages++;
    if (this.lastSeq !== 0 && payload.seq > this.lastSeq + 1) this.gaps += payload.seq - this.lastSeq - 1;
    this.lastSeq = payload.seq;
    // Browser and service clocks: the same machine in development; elsewhere the skew adds in.
    const latency = Math.max(0, now - payload.sentAt);
    this.latencyT.push(now / 1000);
    this.latencyMs.push(latency);
    if (this.latencyT.length > MAX_LATENCY_POINTS + TRIM_CHUNK) {
      this.latencyT.splice(0, this.latencyT.length - MAX_LATENCY_POINTS);
      this.latencyMs.splice(0, this.latencyMs.length - MAX_LATENCY_POINTS);
    }
    this.histogram[HISTOGRAM_BOUNDS.findIndex((bound) => latency <= bound)]!++;
  }

  /** A stream (re)started: the per-stream sequence starts over. */
  newStream(): void {
    this.lastSeq = 0;
  }

  wireEvent(event: WireEvent): void {
    const bytes = wireBytesOf(event);
    this.secondBytes += bytes;
    this.wireBytesTotal += bytes;
    if (event.kind === "http") {
      this.secondRequests++;
      this.requestsTotal++;
    }
    this.wire.push({ n: ++this.wireCount, event });
    if (this.wire.length > INSPECTOR_ROWS) this.wire.splice(0, this.wire.length - INSPECTOR_ROWS);
  }

  /** Once a second: close the second's traffic and read the SDK's counters. */
  sample(metrics: ClientMetrics, now: number): void {
    const before = this.previous;
    const polls = before ? metrics.requests - before.requests : 0;
    const empty = before ? metrics.emptyPolls - before.emptyPolls : 0;
    this.seconds.push({
      t: Math.floor(now / 1000),
      wireBytes: this.secondBytes,
      requests: this.secondRequests,
      emptyShare: polls > 0 ? Math.min(1, empty / polls) : null,
      reconnects: metrics.reconnects,
    });
    if (this.seconds.length > WINDOW_SECONDS) this.seconds.splice(0, this.seconds.length - WINDOW_SECONDS);
    this.previous = metrics;
    this.secondBytes = 0;
    this.secondRequests = 0;
  }

  /** Latency percentile over the kept points (ms), null before any. */
  percentile(q: number): number | null {
    if (this.latencyMs.length === 0) return null;
    const sorted = [...this.latencyMs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  }

  /** Share of empty answers over the window (null: no poll answered). */
  emptyShare(): number | null {
    const shares = this.seconds.map((second) => second.emptyShare).filter((share): share is number => share !== null);
    return shares.length === 0 ? null : shares.reduce((a, b) => a + b, 0) / shares.length;
  }
}

/** Bytes one wire event put on or took off the wire, as far as the SDK sees. */
export function wireBytesOf(event: WireEvent): number {
  switch (event.kind) {
    case "http":
      return event.requestHeaderBytes + event.requestBodyBytes + event.responseHeaderBytes + event.responseBodyBytes;
    case "sse":
      return event.dataBytes;
    case "socket":
      return event.bytes;
  }
}
