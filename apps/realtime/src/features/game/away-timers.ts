import type { Seat } from "@repo/game";

/**
 * Grace periods of seated players who are not reading their game's topic:
 * one timer per (game, seat). When one runs out, `onExpired` puts the seat
 * out; coming back (presence) cancels it.
 */
export function createAwayTimers(graceMs: number, onExpired: (gameId: string, seat: Seat, userId: string) => void) {
  const byGame = new Map<string, Map<Seat, NodeJS.Timeout>>();
  let pending = 0;

  function cancel(gameId: string, seat: Seat) {
    const timers = byGame.get(gameId);
    const timer = timers?.get(seat);
    if (!timers || !timer) return;
    clearTimeout(timer);
    timers.delete(seat);
    pending--;
    if (timers.size === 0) byGame.delete(gameId);
  }

  return {
    /** Starts the seat's grace period (a running one goes on). */
    start(gameId: string, seat: Seat, userId: string) {
      let timers = byGame.get(gameId);
      if (timers?.has(seat)) return;
      if (!timers) byGame.set(gameId, (timers = new Map<Seat, NodeJS.Timeout>()));
      const timer = setTimeout(() => {
        cancel(gameId, seat);
        onExpired(gameId, seat, userId);
      }, graceMs);
      // A grace period never keeps the process alive by itself.
      timer.unref();
      timers.set(seat, timer);
      pending++;
    },
    cancel,
    /** Cancels every grace period of a game (it closed). */
    cancelGame(gameId: string) {
      for (const seat of [...(byGame.get(gameId)?.keys() ?? [])]) cancel(gameId, seat);
    },
    pending: () => pending,
    clear() {
      for (const gameId of [...byGame.keys()]) this.cancelGame(gameId);
    },
  };
}

export type AwayTimers = ReturnType<typeof createAwayTimers>;
