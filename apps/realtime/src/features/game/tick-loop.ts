/** A running fixed-rate loop. */
export interface TickLoop {
  /** Stops it: no step runs after this returns (a step already running finishes). */
  stop(): void;
  /** Whether a timer of this loop is pending (for the leak gauges). */
  readonly timerPending: boolean;
}

export interface TickLoopOptions {
  periodMs: number;
  /** Runs one tick; resolves false to stop the loop. A step never overlaps the next. */
  step(): Promise<boolean>;
  /** How late a tick started against its slot (start + n · period), in ms. */
  onLateness(ms: number): void;
  /** Reports a step that threw; the loop stops. */
  onError(error: unknown): void;
  /** Most ticks run back to back to catch up after a stall; past it the schedule restarts from now. */
  maxCatchUp?: number;
  now?: () => number;
}

/**
 * A fixed timestep with an accumulator: tick n is due at start + n · period,
 * and each wake runs every tick that is due, then sleeps until the next slot.
 * A chained setInterval would drift (each delay adds up) and could overlap a
 * slow step; here a slow step only delays its successors, which catch up.
 * After a long stall (more than `maxCatchUp` ticks behind) the loop drops the
 * backlog and goes on from now: the game slows down rather than fast-forwards.
 */
export function startTickLoop(options: TickLoopOptions): TickLoop {
  const now = options.now ?? (() => performance.now());
  const maxCatchUp = options.maxCatchUp ?? 5;
  let start = now();
  let ticks = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const dueAt = (n: number) => start + n * options.periodMs;

  function schedule() {
    timer = setTimeout(() => {
      timer = null;
      void wake();
    }, Math.max(0, dueAt(ticks + 1) - now()));
  }

  async function wake() {
    let ran = 0;
    // Timers fire on whole milliseconds: a slot less than 1 ms away counts as due.
    while (!stopped && dueAt(ticks + 1) <= now() + 1) {
      if (ran === maxCatchUp) {
        start = now() - ticks * options.periodMs;
        break;
      }
      options.onLateness(Math.max(0, now() - dueAt(ticks + 1)));
      ticks++;
      ran++;
      try {
        if (!(await options.step())) stopped = true;
      } catch (error) {
        stopped = true;
        options.onError(error);
      }
    }
    if (!stopped) schedule();
  }

  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
    get timerPending() {
      return timer !== null;
    },
  };
}
