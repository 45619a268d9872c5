import type { TransportName } from "@repo/protocol";
import { summarize, type LatencySummary } from "../stats";

/** How long the row's last messages may take to reach every client (a short poll waits up to its interval). */
export const DRAIN_MS = 6000;
/** Past DRAIN_MS, how much longer to wait before a number still missing counts as lost (it was late until then). */
const LATE_MS = 30_000;
/** A number still missing this long after the publisher stopped counts as lost. */
export const LOST_AFTER_MS = DRAIN_MS + LATE_MS;

/** One measured flip: every client on `from`, `transport.chat` set to `to`, messages flowing throughout. */
export interface FlipRow {
  clients: number;
  from: TransportName;
  to: TransportName;
  /** Completed: everyone was on `from` before the flip and the publisher kept going. */
  ok: boolean;
  error?: string;
  /** Clients open on `to` within the switch timeout, and those that were not. */
  switched: number;
  unswitched: number;
  /** Per switched client: ms from the moment the PUT was sent until it was open on `to`. */
  latency: LatencySummary;
  /** The headline: the last client's time (ms), NaN when any stayed behind. */
  lastMs: number;
  /** The PUT's own round trip (validated, saved with its audit entry, in force). */
  putMs: number;
  /** When the flag was not on `from` yet: ms from that extra PUT to the last client on `from`. */
  setMs: number | null;
  /** Numbered messages the publisher stored in the row, and its rate over the row. */
  published: number;
  ratePerS: number;
  /** Over all clients, of the row's messages: never received, received more than once, received after a later one. */
  lost: number;
  doubled: number;
  outOfOrder: number;
  /** Clients that missed any message. */
  clientsMissing: number;
  /** A message id that differs from the one published under its number. */
  mismatched: number;
  /** Transport switches the flag caused, over all clients (one per client per flip, plus the extra PUT's). */
  switches: number;
  /** Client errors (refusals, failed evaluations) and sends the service refused (tried again). */
  clientErrors: number;
  firstClientError?: string;
  refusedSends: number;
  /** Every client had every message within 6 s of the publisher's stop. */
  drained: boolean;
  /** Ms from the publisher's stop until every client had every message (null: some never did; those are lost). */
  drainedMs: number | null;
  /** Share (%) of the machine's CPU that processes other than the bench's used during the row (NaN: unknown). */
  otherCpuPct: number;
}

/** Whether a row is what the issue requires: completed, everyone switched, nothing lost, doubled or out of order. */
export function rowPassed(row: FlipRow): boolean {
  return row.ok && row.unswitched === 0 && row.lost === 0 && row.doubled === 0 && row.outOfOrder === 0 && row.mismatched === 0;
}

export function failedFlipRow(clients: number, pair: { from: TransportName; to: TransportName }, error: unknown): FlipRow {
  return {
    clients,
    ...pair,
    ok: false,
    error: error instanceof Error ? error.message : String(error),
    switched: 0,
    unswitched: clients,
    latency: summarize([]),
    lastMs: Number.NaN,
    putMs: Number.NaN,
    setMs: null,
    published: 0,
    ratePerS: 0,
    lost: 0,
    doubled: 0,
    outOfOrder: 0,
    clientsMissing: 0,
    mismatched: 0,
    switches: 0,
    clientErrors: 0,
    refusedSends: 0,
    drained: false,
    drainedMs: null,
    otherCpuPct: Number.NaN,
  };
}
