import { Fifo } from "../hub/fifo";

/**
 * Remembers which single-use SSE tickets were redeemed until they expire, so a
 * replayed ticket URL (from a log, a proxy, browser history) is refused.
 * In-process for now; with several instances this moves to Redis.
 *
 * Redemptions are queued in the order they happen. Tickets all have the same TTL, so that
 * is expiry order and each redeem pops only the expired head: O(expired), never O(live)
 * (security review F12). Should an entry ever expire before one queued ahead of it, it is
 * forgotten a little late, never early: a replay is still refused until it expires.
 */
export function createTicketLedger(now: () => number = Date.now) {
  const redeemed = new Set<string>();
  const queue = new Fifo<{ ticketId: string; expiresAt: number }>();

  function sweep() {
    const t = now();
    while (queue.length > 0 && queue.peek()!.expiresAt <= t) redeemed.delete(queue.shift()!.ticketId);
  }

  return {
    /** True the first time a ticket id is redeemed, false afterwards. */
    redeem(ticketId: string, expiresAt: number): boolean {
      sweep();
      if (redeemed.has(ticketId)) return false;
      redeemed.add(ticketId);
      queue.push({ ticketId, expiresAt });
      return true;
    },
    size: () => redeemed.size,
  };
}

export type TicketLedger = ReturnType<typeof createTicketLedger>;
