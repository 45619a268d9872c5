import { FLAGS_SPREAD_MAX_MS } from "@repo/protocol";

/** Up to this many connected users, the clients' own spread (300 ms) is enough: no hint. */
const AUDIENCE_WITHOUT_HINT = 300;
/** Re-evaluations per ms a spread is sized for (one instance's core answers about that many). */
const EVALUATIONS_PER_MS = 1;

/**
 * The spread a flags change announces (`spreadMs`) for this many connected users: wide
 * enough that their re-evaluations and switches arrive about one per ms instead of all
 * within the clients' default 300 ms, capped so a switch still lands within about 2 s.
 */
export function changeSpreadMs(connectedUsers: number): number | undefined {
  if (connectedUsers <= AUDIENCE_WITHOUT_HINT) return undefined;
  return Math.min(FLAGS_SPREAD_MAX_MS, Math.round(connectedUsers / EVALUATIONS_PER_MS));
}
