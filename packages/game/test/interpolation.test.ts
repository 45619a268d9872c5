import { describe, expect, test } from "vitest";
import { createJitterEstimate, lerpHead, observeArrival, renderDelayMs, renderTick, tickMsFor, type JitterEstimate } from "../src/index";

const TICK_MS = tickMsFor(15);

/** Feeds arrivals [tick, atMs] into a fresh estimate. */
function estimateOf(arrivals: [number, number][]): JitterEstimate {
  return arrivals.reduce((e, [tick, at]) => observeArrival(e, at, tick, TICK_MS), createJitterEstimate());
}

describe("interpolation helpers", () => {
  test("arrivals on the tick schedule measure no jitter, and render 1.5 ticks behind", () => {
    const steady = estimateOf(Array.from({ length: 50 }, (_, i): [number, number] => [i, 1000 + i * TICK_MS]));
    expect(steady.jitterMs).toBeCloseTo(0, 6);
    expect(renderDelayMs(TICK_MS, steady.jitterMs)).toBeCloseTo(1.5 * TICK_MS, 6);
  });

  test("batched arrivals (long-polling: two ticks per response) raise the jitter to a tick and the delay to two", () => {
    const batched = estimateOf(Array.from({ length: 200 }, (_, i): [number, number] => [i, 1000 + Math.floor(i / 2) * 2 * TICK_MS]));
    expect(batched.jitterMs).toBeCloseTo(TICK_MS, 6);
    expect(renderDelayMs(TICK_MS, batched.jitterMs)).toBeCloseTo(2 * TICK_MS, 6);
  });

  test("short polling every 250 ms renders about a poll interval behind", () => {
    const polled = estimateOf(Array.from({ length: 300 }, (_, i): [number, number] => [i, Math.ceil((i * TICK_MS) / 250) * 250]));
    const delay = renderDelayMs(TICK_MS, polled.jitterMs);
    expect(delay).toBeGreaterThan(250);
    expect(delay).toBeLessThan(350);
  });

  test("short polling every second (the SDK's default): the buffer holds a whole batch, so the board still moves every tick", () => {
    const polled = estimateOf(Array.from({ length: 150 }, (_, i): [number, number] => [i, Math.ceil((i * TICK_MS) / 1000) * 1000]));
    const delay = renderDelayMs(TICK_MS, polled.jitterMs);
    // The oldest tick of a batch arrives ~933 ms after its slot, the newest on time.
    expect(polled.jitterMs).toBeGreaterThan(900);
    expect(delay).toBeGreaterThanOrEqual(1000 - 1);
    expect(delay).toBeLessThanOrEqual(1500);
    expect(renderDelayMs(TICK_MS, 10_000)).toBe(1500);
  });

  test("the spread forgets batches older than the window: back on a stream, the delay falls again", () => {
    const polled: [number, number][] = Array.from({ length: 45 }, (_, i) => [i, Math.ceil((i * TICK_MS) / 1000) * 1000]);
    const streamed: [number, number][] = Array.from({ length: 90 }, (_, j) => [45 + j, 4000 + j * TICK_MS]);
    const after = estimateOf([...polled, ...streamed]);
    expect(after.jitterMs).toBeCloseTo(0, 6);
    expect(renderDelayMs(TICK_MS, after.jitterMs)).toBeCloseTo(1.5 * TICK_MS, 6);
  });

  test("a repeated or older tick does not count as an arrival", () => {
    const e = estimateOf([
      [1, 0],
      [2, TICK_MS],
    ]);
    expect(observeArrival(e, 5000, 2, TICK_MS)).toBe(e);
    expect(observeArrival(e, 5000, 1, TICK_MS)).toBe(e);
  });

  test("renderTick lags the newest tick by the delay and never runs ahead of it", () => {
    expect(renderTick(100, 5000, 5000, TICK_MS, 1.5 * TICK_MS)).toBeCloseTo(98.5, 6);
    expect(renderTick(100, 5000, 5000 + TICK_MS, TICK_MS, 1.5 * TICK_MS)).toBeCloseTo(99.5, 6);
    expect(renderTick(100, 5000, 9000, TICK_MS, 1.5 * TICK_MS)).toBe(100);
    expect(renderTick(0, 5000, 5000, TICK_MS, 1000)).toBe(0);
  });

  test("lerpHead moves between cell centres, clamps alpha, and snaps on a respawn", () => {
    expect(lerpHead({ x: 2, y: 3 }, { x: 3, y: 3 }, 0.25)).toEqual({ x: 2.75, y: 3.5 });
    expect(lerpHead({ x: 2, y: 3 }, { x: 2, y: 2 }, 2)).toEqual({ x: 2.5, y: 2.5 });
    expect(lerpHead({ x: 2, y: 3 }, { x: 2, y: 3 }, 0.5)).toEqual({ x: 2.5, y: 3.5 });
    expect(lerpHead({ x: 2, y: 3 }, { x: 40, y: 9 }, 0.1)).toEqual({ x: 40.5, y: 9.5 });
  });
});
