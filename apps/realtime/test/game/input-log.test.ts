import { fc, test } from "@fast-check/vitest";
import { GAME_LIMITS, type InputLogEntry } from "@repo/game";
import { describe, expect } from "vitest";
import { InputLog } from "../../src/features/game/input-log";

const entry: fc.Arbitrary<InputLogEntry> = fc.record({
  tick: fc.integer({ min: 1, max: GAME_LIMITS.maxGameTicks }),
  seat: fc.integer({ min: 0, max: GAME_LIMITS.maxSeats - 1 }),
  action: fc.oneof(
    fc.constant({ type: "leave" as const }),
    fc.constantFrom("up", "down", "left", "right").map((dir) => ({ type: "turn" as const, dir })),
  ),
});

describe("the packed input log", () => {
  test.prop([fc.array(entry, { maxLength: 200 })])("gives back exactly the entries it was given, in order", (entries) => {
    const log = new InputLog();
    log.push(entries.slice(0, 50));
    log.push(entries.slice(50));
    expect(log.length).toBe(entries.length);
    expect(log.entries()).toEqual(entries);
  });
});
