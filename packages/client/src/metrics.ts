/** Percentiles of delivery latency (now − event.ts) over the most recent events. */
export interface LatencySnapshot {
  /** Samples in the window (at most the window size). */
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** A point-in-time copy of the client's counters. */
export interface ClientMetrics {
  transport: string;
  status: string;
  /** Subscription-side requests: polls, long polls, SSE streams opened, sockets connected. */
  requests: number;
  /** Commands sent (each attempt counts). */
  commands: number;
  /** Body and frame bytes received (HTTP headers not included; SSE framing approximated). */
  bytesReceived: number;
  /** Events delivered to subscribers (duplicates excluded). */
  events: number;
  /** Events dropped as already seen (offset at or before the cursor) or from a stale epoch. */
  duplicates: number;
  /** Ephemeral signals delivered (repeats across polls excluded). */
  signals: number;
  /** Poll answers without events, 304s included. */
  emptyPolls: number;
  /** Reconnect attempts after a failure. */
  reconnects: number;
  /** Reset signals received. */
  resets: number;
  /** Moves down the fallback chain (remembered starts included). */
  fallbacks: number;
  /** Moves back up to the wanted transport after a fallback. */
  upgrades: number;
  /** Delivery latency in ms, over a bounded window. */
  latency: LatencySnapshot;
}

export type Counter =
  | "requests"
  | "commands"
  | "bytesReceived"
  | "events"
  | "duplicates"
  | "signals"
  | "emptyPolls"
  | "reconnects"
  | "resets"
  | "fallbacks"
  | "upgrades";

/** Counters plus a ring buffer of latency samples. */
export class MetricsRecorder {
  private readonly counters: Record<Counter, number> = {
    requests: 0,
    commands: 0,
    bytesReceived: 0,
    events: 0,
    duplicates: 0,
    signals: 0,
    emptyPolls: 0,
    reconnects: 0,
    resets: 0,
    fallbacks: 0,
    upgrades: 0,
  };
  private readonly window: Float64Array;
  private filled = 0;
  private next = 0;

  constructor(windowSize = 1024) {
    this.window = new Float64Array(Math.max(1, windowSize));
  }

  add(counter: Counter, amount = 1): void {
    this.counters[counter] += amount;
  }

  latency(ms: number): void {
    this.window[this.next] = ms;
    this.next = (this.next + 1) % this.window.length;
    if (this.filled < this.window.length) this.filled++;
  }

  snapshot(transport: string, status: string): ClientMetrics {
    const sorted = Array.from(this.window.subarray(0, this.filled)).sort((a, b) => a - b);
    const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
    return {
      transport,
      status,
      ...this.counters,
      latency: { samples: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? 0 },
    };
  }
}
