import { describe, expect, test } from "vitest";
import {
  applyDelta,
  createMatch,
  finalState,
  MatchState,
  replayMatch,
  stateHash,
  TickDelta,
  TickGapError,
  type Direction,
  type MatchConfig,
  type TickInput,
} from "../src/index";
import { botInputs, configWith, playGame } from "./support/matches";

/** Through JSON and the schema, as a snapshot or delta travels on the wire and to the database. */
const wire = <T>(schema: { parse: (value: unknown) => T }, value: T): T => schema.parse(JSON.parse(JSON.stringify(value)));

const threeBots: MatchConfig = { ...configWith({ seatCount: 3, seed: 99, width: 32, height: 24 }), roundsToWin: 2 };

/** Bots, plus a scripted seat 0 that also sends reversals and repeated turns the sim must ignore. */
function mixedInputs(state: MatchState): TickInput[] {
  const inputs = botInputs(state).filter((input) => input.seat !== 0);
  const dirs: Direction[] = ["up", "left", "down", "right", "right"];
  if (state.tick % 7 === 0) inputs.push({ seat: 0, action: { type: "turn", dir: dirs[(state.tick / 7) % dirs.length] ?? "up" } });
  return inputs;
}

describe("determinism", () => {
  test("the same seed and inputs give the same states, tick by tick", () => {
    const a = playGame(threeBots, mixedInputs);
    const b = playGame(threeBots, mixedInputs);
    expect(a.states.length).toBe(b.states.length);
    expect(a.states.map(stateHash)).toEqual(b.states.map(stateHash));
    expect(a.states.at(-1)?.phase).toBe("gameOver");
  });

  test("different seeds give different spawns, each on the grid, apart, and clear of the walls", () => {
    const spawns = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const state = createMatch(configWith({ seed: (seed * 2_654_435_761) % 0x1_0000_0000, seatCount: 4 }));
      spawns.add(JSON.stringify(state.cycles.map((c) => [c.head, c.dir])));
      const heads = state.cycles.map((c) => c.head);
      expect(new Set(heads.map((h) => `${h.x},${h.y}`)).size).toBe(4);
      for (const h of heads) {
        expect(h.x).toBeGreaterThanOrEqual(2);
        expect(h.y).toBeGreaterThanOrEqual(2);
        expect(h.x).toBeLessThan(20 - 2);
        expect(h.y).toBeLessThan(16 - 2);
      }
    }
    expect(spawns.size).toBe(20);
    expect(createMatch(configWith({ seed: 0xffff_ffff })).cycles).not.toEqual(createMatch(configWith({ seed: 0x7fff_ffff })).cycles);
  });

  test("a stored game (config + input log) replays tick by tick to the same states and result", () => {
    const live = playGame(threeBots, mixedInputs);
    const replayed = [...replayMatch(threeBots, live.log)];
    expect(replayed.map(stateHash)).toEqual(live.states.map(stateHash));
    const result = finalState(threeBots, live.log);
    const last = live.states.at(-1);
    expect(result).toEqual(last);
    expect(result.winner).not.toBeNull();
    expect(result.scores).toContain(threeBots.roundsToWin);
  });

  test("a replay of a tampered log does not end in the stored result", () => {
    const live = playGame(threeBots, mixedInputs);
    const tampered = live.log.filter((_, i) => i !== Math.floor(live.log.length / 2));
    expect(stateHash(finalState(threeBots, tampered))).not.toBe(stateHash(live.states.at(-1) ?? createMatch(threeBots)));
  });

  test("applyDelta from a snapshot (through JSON) reproduces the server's states exactly, across rounds", () => {
    const live = playGame(threeBots, mixedInputs);
    for (const from of [0, 57, Math.floor(live.states.length / 2)]) {
      const snapshot = live.states[from];
      if (snapshot === undefined) throw new Error("no state");
      let client = wire(MatchState, snapshot);
      expect(stateHash(client)).toBe(stateHash(snapshot));
      for (const delta of live.deltas.slice(from)) {
        client = applyDelta(client, wire(TickDelta, delta));
        expect(client).toEqual(live.states[delta.tick]);
      }
      expect(client.round).toBeGreaterThan(snapshot.round);
    }
  });

  test("every state of a game is a valid snapshot by the schema", () => {
    const live = playGame(threeBots, mixedInputs);
    for (const state of live.states) expect(MatchState.safeParse(state).success).toBe(true);
  });

  test("applyDelta throws TickGapError on a missed or repeated tick (the client then refetches a snapshot)", () => {
    const live = playGame(threeBots, mixedInputs, 20);
    const at10 = live.states[10];
    if (at10 === undefined) throw new Error("no state");
    const gap = live.deltas[11];
    const repeat = live.deltas[9];
    if (gap === undefined || repeat === undefined) throw new Error("no delta");
    expect(() => applyDelta(at10, gap)).toThrow(TickGapError);
    expect(() => applyDelta(at10, repeat)).toThrow(expect.objectContaining({ expectedTick: 11, gotTick: 10 }));
  });
});
