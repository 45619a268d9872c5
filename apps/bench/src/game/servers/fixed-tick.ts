import { performance } from "node:perf_hooks";

/**
 * The bare server's tick loop: the same fixed timestep as the service's
 * (apps/realtime's tick-loop.ts, which is not exported): tick n is due at
 * start + n · period, each wake runs every tick that is due, a step never
 * overlaps the next, and more than `maxCatchUp` ticks behind the schedule
 * restarts from now. Lateness (now − due) is measured the same way.
 */
export function startFixedTick(options: { periodMs: number; step(): boolean; onLateness(ms: number): void; maxCatchUp?: number }): () => void {
  const maxCatchUp = options.maxCatchUp ?? 5;
  let start = performance.now();
  let ticks = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const dueAt = (n: number) => start + n * options.periodMs;

  const schedule = () => {
    timer = setTimeout(wake, Math.max(0, dueAt(ticks + 1) - performance.now()));
  };
  function wake() {
    timer = null;
    let ran = 0;
    while (!stopped && dueAt(ticks + 1) <= performance.now() + 1) {
      if (ran === maxCatchUp) {
        start = performance.now() - ticks * options.periodMs;
        break;
      }
      options.onLateness(Math.max(0, performance.now() - dueAt(ticks + 1)));
      ticks++;
      ran++;
      if (!options.step()) stopped = true;
    }
    if (!stopped) schedule();
  }
  schedule();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
