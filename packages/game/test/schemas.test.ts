import { describe, expect, test } from "vitest";
import { Action, createMatch, MatchConfig, MatchState, TickDelta } from "../src/index";
import { configWith } from "./support/matches";

describe("schemas", () => {
  test("MatchConfig: 2–8 distinct seats, grid sides 16–128, 5–30 Hz, a uint32 seed", () => {
    expect(MatchConfig.safeParse(configWith()).success).toBe(true);
    const bad = [
      configWith({ seatCount: 1 }),
      { ...configWith(), seats: Array.from({ length: 9 }, (_, seat) => ({ seat: seat % 8, kind: "bot" })) },
      { ...configWith(), seats: [{ seat: 1, kind: "bot" }, { seat: 1, kind: "human" }] },
      { ...configWith(), seats: [{ seat: 0, kind: "bot" }, { seat: 8, kind: "human" }] },
      configWith({ width: 15 }),
      configWith({ height: 129 }),
      configWith({ tickHz: 4 }),
      configWith({ tickHz: 31 }),
      configWith({ roundsToWin: 0 }),
      configWith({ seed: -1 }),
      configWith({ seed: 2 ** 32 }),
    ];
    for (const config of bad) expect(MatchConfig.safeParse(config).success, JSON.stringify(config)).toBe(false);
    expect(() => createMatch(configWith({ tickHz: 100 }))).toThrow();
  });

  test("MatchState: one cycle and one score per seat in seat order, every cell on the grid", () => {
    const state = createMatch(configWith({ seatCount: 3 }));
    expect(MatchState.safeParse(state).success).toBe(true);
    const [a, b, c] = state.cycles;
    if (a === undefined || b === undefined || c === undefined) throw new Error("three cycles");
    const bad = [
      { ...state, cycles: [b, a, c] },
      { ...state, cycles: [a, b] },
      { ...state, scores: [0, 0] },
      { ...state, cycles: [{ ...a, head: { x: state.config.width, y: 0 } }, b, c] },
      { ...state, cycles: [a, b, { ...c, corners: [{ x: 0, y: state.config.height }] }] },
      { ...state, rng: [1, 2, 3] },
      { ...state, tick: -1 },
    ];
    for (const candidate of bad) expect(MatchState.safeParse(candidate).success).toBe(false);
  });

  test("actions and deltas", () => {
    expect(Action.safeParse({ type: "turn", dir: "up" }).success).toBe(true);
    expect(Action.safeParse({ type: "leave" }).success).toBe(true);
    expect(Action.safeParse({ type: "turn", dir: "north" }).success).toBe(false);
    expect(Action.safeParse({ type: "jump" }).success).toBe(false);
    expect(TickDelta.safeParse({ tick: 0, inputs: [] }).success).toBe(false);
    expect(TickDelta.safeParse({ tick: 3, inputs: [{ seat: 2, action: { type: "leave" } }] }).success).toBe(true);
  });
});
