import { describe, expect, test } from "vitest";
import { buildGrid, occupancy, stepMatch, trailCells } from "../src/index";
import { cycleOf, playingState, turn } from "./support/matches";

describe("collisions (all moves resolve at once)", () => {
  test("a cycle moves one cell per tick and leaves its trail", () => {
    const state = playingState([
      { seat: 0, head: { x: 2, y: 2 }, dir: "right" },
      { seat: 1, head: { x: 10, y: 10 }, dir: "left" },
    ]);
    const next = stepMatch(state, []).state;
    expect(cycleOf(next, 0).head).toEqual({ x: 3, y: 2 });
    expect(trailCells(cycleOf(next, 0))).toEqual([{ x: 2, y: 2 }, { x: 3, y: 2 }]);
    expect(next.phase).toBe("playing");
  });

  test("driving into the wall kills; the cycle stays on its last cell", () => {
    const state = playingState([
      { seat: 0, head: { x: 19, y: 5 }, dir: "right" },
      { seat: 1, head: { x: 5, y: 0 }, dir: "up" },
      { seat: 2, head: { x: 10, y: 10 }, dir: "down" },
    ]);
    const next = stepMatch(state, []).state;
    expect(cycleOf(next, 0)).toMatchObject({ alive: false, head: { x: 19, y: 5 } });
    expect(cycleOf(next, 1)).toMatchObject({ alive: false, head: { x: 5, y: 0 } });
    expect(cycleOf(next, 2)).toMatchObject({ alive: true, head: { x: 10, y: 11 } });
  });

  test("two heads entering the same free cell both die, and nobody owns the cell", () => {
    const state = playingState([
      { seat: 0, head: { x: 4, y: 5 }, dir: "right" },
      { seat: 1, head: { x: 6, y: 5 }, dir: "left" },
      { seat: 2, head: { x: 15, y: 12 }, dir: "up" },
    ]);
    const next = stepMatch(state, []).state;
    expect(cycleOf(next, 0).alive).toBe(false);
    expect(cycleOf(next, 1).alive).toBe(false);
    expect(occupancy(next)[5 * 20 + 5]).toBe(0);
  });

  test("a perpendicular same-cell meeting kills both too", () => {
    const state = playingState([
      { seat: 0, head: { x: 4, y: 5 }, dir: "right" },
      { seat: 1, head: { x: 5, y: 4 }, dir: "down" },
      { seat: 2, head: { x: 15, y: 12 }, dir: "up" },
    ]);
    const next = stepMatch(state, []).state;
    expect([cycleOf(next, 0).alive, cycleOf(next, 1).alive, cycleOf(next, 2).alive]).toEqual([false, false, true]);
  });

  test("a head-on swap (adjacent heads driving at each other) kills both", () => {
    const state = playingState([
      { seat: 0, head: { x: 4, y: 5 }, dir: "right" },
      { seat: 1, head: { x: 5, y: 5 }, dir: "left" },
      { seat: 2, head: { x: 15, y: 12 }, dir: "up" },
    ]);
    const next = stepMatch(state, []).state;
    expect(cycleOf(next, 0)).toMatchObject({ alive: false, head: { x: 4, y: 5 } });
    expect(cycleOf(next, 1)).toMatchObject({ alive: false, head: { x: 5, y: 5 } });
  });

  test("following into the cell another head is leaving kills the follower only", () => {
    const state = playingState([
      { seat: 0, head: { x: 4, y: 5 }, dir: "right" },
      { seat: 1, head: { x: 5, y: 5 }, dir: "right" },
      { seat: 2, head: { x: 15, y: 12 }, dir: "up" },
    ]);
    const next = stepMatch(state, []).state;
    expect(cycleOf(next, 0).alive).toBe(false);
    expect(cycleOf(next, 1)).toMatchObject({ alive: true, head: { x: 6, y: 5 } });
  });

  test("hitting a trail kills, own trail included", () => {
    const other = playingState([
      { seat: 0, head: { x: 5, y: 4 }, dir: "down" },
      { seat: 1, head: { x: 8, y: 5 }, dir: "right", corners: [{ x: 3, y: 5 }, { x: 8, y: 5 }] },
      { seat: 2, head: { x: 15, y: 12 }, dir: "up" },
    ]);
    const hit = stepMatch(other, []).state;
    expect(cycleOf(hit, 0)).toMatchObject({ alive: false, head: { x: 5, y: 4 } });
    expect(cycleOf(hit, 1).alive).toBe(true);

    // Right along y=5, down one, back left under its own trail; turning up hits it.
    const own = playingState([
      { seat: 0, head: { x: 4, y: 6 }, dir: "left", corners: [{ x: 3, y: 5 }, { x: 6, y: 5 }, { x: 6, y: 6 }] },
      { seat: 1, head: { x: 15, y: 12 }, dir: "up" },
    ]);
    const self = stepMatch(own, [turn(0, "up")]).state;
    expect(cycleOf(self, 0)).toMatchObject({ alive: false, dir: "up", head: { x: 4, y: 6 } });
  });

  test("a dead cycle's trail stays a wall for the rest of the round", () => {
    const state = playingState([
      { seat: 0, head: { x: 5, y: 4 }, dir: "down" },
      { seat: 1, head: { x: 8, y: 5 }, dir: "up", corners: [{ x: 3, y: 5 }, { x: 8, y: 5 }], alive: false },
      { seat: 2, head: { x: 15, y: 12 }, dir: "up" },
    ]);
    const next = stepMatch(state, []).state;
    expect(cycleOf(next, 0).alive).toBe(false);
    expect(cycleOf(next, 1)).toBe(cycleOf(state, 1));
  });

  test("the grid carried from tick to tick equals one rebuilt from the corners", () => {
    let state = playingState([
      { seat: 0, head: { x: 2, y: 2 }, dir: "right" },
      { seat: 1, head: { x: 17, y: 13 }, dir: "left" },
    ]);
    const turns = [turn(0, "down"), turn(1, "up"), turn(0, "right"), turn(1, "left")];
    for (let i = 0; i < 8; i++) {
      state = stepMatch(state, i % 2 === 1 ? [turns[i % 4] ?? turn(0, "up")] : []).state;
      expect(occupancy(state)).toEqual(buildGrid(state));
    }
  });
});
