import type { TickLoop } from "./tick-loop";

/**
 * Where a game's tick loops run on this instance: at most one per game. The
 * service starts every loop through this seam. Which instance runs a game's
 * loop at all is decided before it: on several instances, by the game's lease
 * and fencing token (cluster/game-cluster.ts); a loop runs only where its game
 * is held, and stops (released) when the lease is lost.
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
