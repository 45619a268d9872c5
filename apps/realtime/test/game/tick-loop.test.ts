import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { startTickLoop } from "../../src/features/game/tick-loop";

/*
 * The game loop's timestep: tick n is due at start + n · period, whatever
 * each step costs; a late wake-up runs every tick that is due (bounded), and
 * each tick's lateness against its slot is reported.
 *
 * Time here is a virtual clock (`clock.t`) with fake timers: `pass` lets time
 * go by with timers running, `stall` is time in which the event loop was busy
 * (a step's own cost, or a blocked process) and no timer could run.
 */
const clock = { t: 0 };
beforeEach(() => {
  vi.useFakeTimers();
  clock.t = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

async function pass(ms: number) {
  for (let i = 0; i < ms; i++) {
    clock.t++;
    await vi.advanceTimersByTimeAsync(1);
  }
}

function stall(ms: number) {
  clock.t += ms;
}

function loop(options: { periodMs: number; stepMs?: number; maxCatchUp?: number; until?: number }) {
  const ran: number[] = [];
  const lateness: number[] = [];
  const handle = startTickLoop({
    periodMs: options.periodMs,
    now: () => clock.t,
    maxCatchUp: options.maxCatchUp,
    async step() {
      ran.push(clock.t);
      if (options.stepMs) stall(options.stepMs);
      return options.until === undefined || ran.length < options.until;
    },
    onLateness: (ms) => void lateness.push(ms),
    onError: () => {},
  });
  return { ran, lateness, handle };
}

describe("the tick loop", () => {
  test("ticks on its slots without drifting, however long each step takes", async () => {
    const { ran, lateness, handle } = loop({ periodMs: 50, stepMs: 20 });
    while (clock.t < 1010) await pass(1);
    handle.stop();
    // Every tick starts at its own slot (a 50 ms timer chained after each 20 ms step would drift to one every 70 ms).
    expect(ran).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 50));
    expect(lateness.every((ms) => ms === 0)).toBe(true);
  });

  test("a stall is caught up tick by tick, at most maxCatchUp at once, with each tick's lateness", async () => {
    const { ran, lateness, handle } = loop({ periodMs: 10, maxCatchUp: 5 });
    await pass(30);
    expect(ran).toEqual([10, 20, 30]);
    // Busy for 35 ms: the slots at 40, 50, 60 and 70 are served together when the timer can run, at 75.
    stall(35);
    await pass(10);
    expect(ran.slice(3, 7)).toEqual([75, 75, 75, 75]);
    expect(lateness.slice(3, 7)).toEqual([35, 25, 15, 5]);
    // Back on the slots.
    await pass(10);
    expect(ran.at(-1)).toBe(80);
    // A stall of many ticks: five are run, the rest dropped, and the schedule goes on from now.
    const before = ran.length;
    stall(200);
    await pass(1);
    await pass(9);
    expect(ran.length).toBe(before + 5);
    await pass(10);
    expect(ran.length).toBe(before + 6);
    expect(lateness.at(-1)).toBe(0);
    handle.stop();
  });

  test("stops when a step says so, or when stopped: no timer is left", async () => {
    const { ran, handle } = loop({ periodMs: 10, until: 3 });
    await pass(100);
    expect(ran).toHaveLength(3);
    expect(handle.timerPending).toBe(false);
    expect(vi.getTimerCount()).toBe(0);

    const other = loop({ periodMs: 10 });
    await pass(25);
    expect(other.handle.timerPending).toBe(true);
    other.handle.stop();
    expect(other.handle.timerPending).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("a step that throws stops the loop and is reported", async () => {
    const errors: unknown[] = [];
    const handle = startTickLoop({
      periodMs: 10,
      now: () => clock.t,
      step: () => Promise.reject(new Error("boom")),
      onLateness: () => {},
      onError: (error) => void errors.push(error),
    });
    await pass(50);
    expect(errors).toHaveLength(1);
    expect(handle.timerPending).toBe(false);
  });
});
