import { fc, test } from "@fast-check/vitest";
import { expect } from "vitest";
import { createInputQueue, GAME_LIMITS, isLegalTurn, offerInput, takeInput, type Direction } from "../src/index";
import { PROPERTY_PARAMS } from "./support/arbitraries";

const stepArb = fc.record({
  /** The seq offered, relative to the last one offered (≤ 0: a duplicate or out of order). */
  gap: fc.integer({ min: -2, max: 3 }),
  dir: fc.constantFrom<Direction>("up", "down", "left", "right"),
  /** A tick happens after this offer: one input is taken and applied. */
  tick: fc.boolean(),
});

test.prop([fc.constantFrom<Direction>("up", "down", "left", "right"), fc.array(stepArb, { maxLength: 80 })], PROPERTY_PARAMS)(
  "the input queue: increasing seqs, bounded queue and rate, and only legal turns ever reach the sim",
  (startDir, steps) => {
    let queue = createInputQueue();
    let currentDir = startDir;
    let nextTick = 1;
    let seq = 0;
    let acceptedThisTick = 0;
    let lastAccepted = 0;
    for (const step of steps) {
      seq += step.gap;
      const answer = offerInput(queue, { seq, action: { type: "turn", dir: step.dir } }, { nextTick, currentDir });
      queue = answer.queue;
      if (answer.ok) {
        expect(seq).toBeGreaterThan(lastAccepted);
        lastAccepted = seq;
        acceptedThisTick++;
      }
      expect(queue.pending.length).toBeLessThanOrEqual(GAME_LIMITS.inputQueueMax);
      expect(acceptedThisTick).toBeLessThanOrEqual(GAME_LIMITS.inputsPerTickMax);
      if (!step.tick) continue;
      const taken = takeInput(queue, nextTick);
      queue = taken.queue;
      if (taken.action?.type === "turn") {
        expect(isLegalTurn(currentDir, taken.action.dir)).toBe(true);
        currentDir = taken.action.dir;
      }
      expect(taken.lastAppliedSeq).toBeLessThanOrEqual(lastAccepted);
      nextTick++;
      acceptedThisTick = 0;
    }
  },
);
