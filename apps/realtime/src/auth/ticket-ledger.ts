/**
 * Remembers which single-use SSE tickets were redeemed until they expire, so a
 * replayed ticket URL (from a log, a proxy, browser history) is refused.
 * In-process for now; with several instances this moves to Redis.
 */
export function createTicketLedger(now: () => number = Date.now) {
  const redeemed = new Map<string, number>();

  function sweep() {
    const t = now();
    for (const [id, expiresAt] of redeemed) if (expiresAt <= t) redeemed.delete(id);
  }

  return {
    /** True the first time a ticket id is redeemed, false afterwards. */
    redeem(ticketId: string, expiresAt: number): boolean {
      if (redeemed.size > 1024) sweep();
      if (redeemed.has(ticketId)) return false;
      redeemed.set(ticketId, expiresAt);
      return true;
    },
    size: () => redeemed.size,
  };
}

export type TicketLedger = ReturnType<typeof createTicketLedger>;
