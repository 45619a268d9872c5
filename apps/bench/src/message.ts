/**
 * What every server publishes and every subscriber decodes. `sentAt` is read
 * from the machine's monotonic clock (CLOCK_MONOTONIC through
 * process.hrtime), which is shared by every process on the machine, so
 * `receive time − sentAt` across the server and load-generator processes is a
 * true delivery latency with microsecond resolution.
 */
export interface BenchPayload {
  seq: number;
  sentAt: number;
  pad: string;
}

/** The event envelope shape Switchboard sends, which the bare baselines also carry, so both move the same bytes of application data. */
export interface Envelope {
  topic: string;
  offset: number;
  epoch: string;
  type: string;
  payload: BenchPayload;
  ts: number;
}

export const BENCH_TOPIC = "system:bench";
export const BENCH_EVENT_TYPE = "bench";

/** Milliseconds on the shared monotonic clock, microsecond resolution. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

/** A pad that brings the JSON payload `{seq, sentAt, pad}` to about `payloadBytes` bytes. */
export function makePad(payloadBytes: number): string {
  const bare = JSON.stringify({ seq: 100_000, sentAt: monotonicMs(), pad: "" }).length;
  return "x".repeat(Math.max(0, payloadBytes - bare));
}

export function makePayload(seq: number, pad: string, sentAt = monotonicMs()): BenchPayload {
  return { seq, sentAt, pad };
}

export function isBenchEnvelope(value: unknown): value is Envelope {
  const envelope = value as Envelope | null;
  return (
    typeof envelope === "object" &&
    envelope !== null &&
    envelope.type === BENCH_EVENT_TYPE &&
    typeof envelope.payload?.seq === "number" &&
    typeof envelope.payload.sentAt === "number"
  );
}
