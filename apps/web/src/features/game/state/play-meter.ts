// Rates over the last few seconds of play: states received, how many separate deliveries
// brought them (short polling brings a second's worth of ticks in one), and what the
// connection cost (requests, commands and bytes, from the SDK's counters). No I/O.

/** The connection's counters at one moment (a part of the SDK's ClientMetrics). */
export interface TrafficCounters {
  transport: string;
  requests: number;
  commands: number;
  bytesReceived: number;
}

export interface PlayRates {
  /** Game states (ticks and snapshots) received per second. */
  statesPerSecond: number;
  /** Separate arrivals per second: a batch of states that came together counts once. */
  deliveriesPerSecond: number;
  /** Subscription requests (polls, streams, sockets opened) per second. */
  requestsPerSecond: number;
  /** Commands (inputs) sent per second. */
  commandsPerSecond: number;
  bytesPerSecond: number;
}

const WINDOW_MS = 3000;
/** States arriving within this of the previous one came in the same delivery. */
const SAME_DELIVERY_MS = 4;

interface Sample extends TrafficCounters {
  atMs: number;
}

export class PlayMeter {
  private states: number[] = [];
  private deliveries: number[] = [];
  private lastArrivalMs = -Infinity;
  private samples: Sample[] = [];

  /** A state was delivered at `nowMs`. */
  stateArrived(nowMs: number): void {
    this.states.push(nowMs);
    if (nowMs - this.lastArrivalMs > SAME_DELIVERY_MS) this.deliveries.push(nowMs);
    this.lastArrivalMs = nowMs;
    this.trim(nowMs);
  }

  /** The connection's counters now. A new transport starts the window again (its own costs only). */
  sample(nowMs: number, counters: TrafficCounters): void {
    if (this.samples.at(-1)?.transport !== counters.transport) this.samples = [];
    this.samples.push({ ...counters, atMs: nowMs });
    this.trim(nowMs);
  }

  rates(nowMs: number): PlayRates {
    this.trim(nowMs);
    const first = this.samples[0];
    const last = this.samples.at(-1);
    const spanMs = first && last ? last.atMs - first.atMs : 0;
    const perSecond = (from: number, to: number) => (spanMs > 0 ? ((to - from) * 1000) / spanMs : 0);
    return {
      statesPerSecond: (this.states.length * 1000) / WINDOW_MS,
      deliveriesPerSecond: (this.deliveries.length * 1000) / WINDOW_MS,
      requestsPerSecond: first && last ? perSecond(first.requests, last.requests) : 0,
      commandsPerSecond: first && last ? perSecond(first.commands, last.commands) : 0,
      bytesPerSecond: first && last ? perSecond(first.bytesReceived, last.bytesReceived) : 0,
    };
  }

  private trim(nowMs: number): void {
    const since = nowMs - WINDOW_MS;
    while (this.states.length > 0 && this.states[0]! < since) this.states.shift();
    while (this.deliveries.length > 0 && this.deliveries[0]! < since) this.deliveries.shift();
    // Keep one sample at or before the window's start, so the rate spans the whole window.
    while (this.samples.length > 1 && this.samples[1]!.atMs <= since) this.samples.shift();
  }
}
