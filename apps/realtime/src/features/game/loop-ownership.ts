import type { TickLoop } from "./tick-loop";

/**
 * Where a game's tick loop runs: exactly one place per game. The service
 * starts every loop through this seam. The in-process implementation (one
 * instance) always owns; a scale-out implementation would take a lease per
 * game (e.g. a Redis key with a TTL, renewed while the loop runs), start the
 * loop only where it holds the lease, stop it when the lease is lost, and let
 * another instance take over a game whose owner died (from its last snapshot).
 */
export interface GameLoopOwnership {
  /**
   * Starts `startLoop` for `gameId` on the instance that owns the game (in
   * process: here, at once). Resolves to the release: stops the loop where it
   * runs and frees the ownership. Releasing twice is harmless.
   */
  own(gameId: string, startLoop: () => TickLoop): Promise<() => void>;
  /** Loops running here (for the gauges and leak tests). */
  running(): number;
}

/** One instance: every game's loop runs in this process. */
export function inProcessOwnership(): GameLoopOwnership {
  const loops = new Map<string, TickLoop>();
  return {
    async own(gameId, startLoop) {
      loops.get(gameId)?.stop();
      const loop = startLoop();
      loops.set(gameId, loop);
      return () => {
        loop.stop();
        if (loops.get(gameId) === loop) loops.delete(gameId);
      };
    },
    running: () => loops.size,
  };
}
