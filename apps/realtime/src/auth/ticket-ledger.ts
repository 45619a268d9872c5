import { ProtocolError } from "@repo/protocol";
import type { Redis } from "ioredis";
import { Fifo } from "../hub/fifo";

/** Which single-use SSE tickets were already redeemed, until they expire. */
export interface TicketLedger {
  /** True the first time a ticket id is redeemed, false afterwards (on any instance sharing the ledger). */
  redeem(ticketId: string, expiresAt: number): Promise<boolean>;
}

/**
 * Remembers which single-use SSE tickets were redeemed until they expire, so a
 * replayed ticket URL (from a log, a proxy, browser history) is refused.
 * In process; `createRedisTicketLedger` is the one several instances share.
 *
 * Redemptions are queued in the order they happen. Tickets all have the same TTL, so that
 * is expiry order and each redeem pops only the expired head: O(expired), never O(live)
 * (security review F12). Should an entry ever expire before one queued ahead of it, it is
 * forgotten a little late, never early: a replay is still refused until it expires.
 */
export function createTicketLedger(now: () => number = Date.now): TicketLedger & { size(): number } {
  const redeemed = new Set<string>();
  const queue = new Fifo<{ ticketId: string; expiresAt: number }>();

  function sweep() {
    const t = now();
    while (queue.length > 0 && queue.peek()!.expiresAt <= t) redeemed.delete(queue.shift()!.ticketId);
  }

  return {
    async redeem(ticketId: string, expiresAt: number) {
      sweep();
      if (redeemed.has(ticketId)) return false;
      redeemed.add(ticketId);
      queue.push({ ticketId, expiresAt });
      return true;
    },
    size: () => redeemed.size,
  };
}

/**
 * The ledger in Redis: one key per redeemed ticket (SET NX), expiring with the
 * ticket, so a ticket redeemed on one instance is refused on every other. While
 * Redis is unreachable a redemption is `unavailable` (the client retries), never
 * let through unchecked.
 */
export function createRedisTicketLedger(redis: Redis, prefix = "sb:ticket:"): TicketLedger {
  return {
    async redeem(ticketId, expiresAt) {
      try {
        return (await redis.set(`${prefix}${ticketId}`, "1", "PXAT", expiresAt, "NX")) === "OK";
      } catch {
        throw new ProtocolError("unavailable", "Tickets cannot be checked right now; try again");
      }
    },
  };
}
