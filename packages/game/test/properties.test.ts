import { test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { logEntriesOf, replayMatch, stateHash, stepMatch, trailCells, type MatchState } from "../src/index";
import { configArb, pairs, PROPERTY_PARAMS, runScript, scriptArb } from "./support/arbitraries";

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

const sameRound = (a: MatchState, b: MatchState) => a.round === b.round;

describe("properties of the simulation", () => {
  test.prop([configArb, scriptArb], PROPERTY_PARAMS)("replay determinism: the applied-input log replays to the same states", (config, script) => {
    const live = runScript(config, script);
    const log = live.deltas.flatMap(logEntriesOf);
    const replayed: string[] = [];
    for (const state of replayMatch(config, log)) {
      replayed.push(stateHash(state));
      if (replayed.length === live.states.length) break;
    }
    expect(replayed).toEqual(live.states.map(stateHash));
    // The raw inputs, unfiltered, give the same states as well.
    expect(runScript(config, script).states.map(stateHash)).toEqual(replayed);
  });

  test.prop([configArb, scriptArb], PROPERTY_PARAMS)("no cell has two owners, and every trail stays on the grid", (config, script) => {
    const problems: string[] = [];
    for (const state of runScript(config, script).states) {
      const owners = new Map<number, number>();
      for (const cycle of state.cycles) {
        for (const { x, y } of trailCells(cycle)) {
          const owner = owners.get(y * config.width + x);
          if (owner !== undefined) problems.push(`tick ${state.tick}: (${x},${y}) owned by ${owner} and ${cycle.seat}`);
          if (x < 0 || y < 0 || x >= config.width || y >= config.height) problems.push(`tick ${state.tick}: (${x},${y}) off the grid`);
          owners.set(y * config.width + x, cycle.seat);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test.prop([configArb, scriptArb], PROPERTY_PARAMS)("dead cycles never move, and never come back within a round", (config, script) => {
    for (const [a, b] of pairs(runScript(config, script).states)) {
      if (!sameRound(a, b)) continue;
      a.cycles.forEach((before, i) => {
        const after = b.cycles[i];
        if (before.alive) return;
        expect(after).toMatchObject({ alive: false, head: before.head, corners: before.corners });
      });
    }
  });

  test.prop([configArb, scriptArb], PROPERTY_PARAMS)("trails only grow within a round, by at most one cell a tick", (config, script) => {
    for (const [a, b] of pairs(runScript(config, script).states)) {
      if (!sameRound(a, b)) continue;
      a.cycles.forEach((before, i) => {
        const after = b.cycles[i];
        if (after === undefined) throw new Error("cycles changed length");
        const was = trailCells(before);
        const now = trailCells(after);
        expect(now.slice(0, was.length)).toEqual(was);
        expect(now.length - was.length).toBeLessThanOrEqual(1);
      });
    }
  });

  test.prop([configArb, scriptArb], PROPERTY_PARAMS)("at most one survivor when a round ends; a left seat never plays again", (config, script) => {
    for (const [a, b] of pairs(runScript(config, script).states)) {
      if (a.phase === "playing" && b.phase !== "playing") expect(b.cycles.filter((c) => c.alive).length).toBeLessThanOrEqual(1);
      if (b.phase === "roundOver" && a.phase === "playing") expect(b.scores.reduce((x, y) => x + y)).toBe(a.scores.reduce((x, y) => x + y) + (b.roundWinner === null ? 0 : 1));
      a.cycles.forEach((before, i) => {
        if (before.left) expect(b.cycles[i]).toMatchObject({ left: true, alive: false });
      });
    }
  });

  test.prop([configArb, scriptArb], PROPERTY_PARAMS)("tick numbers are contiguous, in states and deltas", (config, script) => {
    const run = runScript(config, script);
    run.states.forEach((state, i) => expect(state.tick).toBe(i));
    run.deltas.forEach((delta, i) => expect(delta.tick).toBe(i + 1));
  });

  test.prop([configArb, scriptArb], PROPERTY_PARAMS)("stepMatch never mutates its input", (config, script) => {
    const run = runScript(config, script, (state) => void deepFreeze(state));
    const copies = run.states.map((s) => structuredClone(s));
    run.states.forEach((state, i) => {
      const inputs = run.given[i] ?? [];
      stepMatch(state, inputs);
      expect(state).toEqual(copies[i]);
    });
  });
});
