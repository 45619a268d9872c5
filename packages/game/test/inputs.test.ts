import { describe, expect, test } from "vitest";
import { stepMatch, type Direction } from "../src/index";
import { cycleOf, leave, playingState, turn } from "./support/matches";

const twoCycles = () =>
  playingState([
    { seat: 0, head: { x: 5, y: 5 }, dir: "right" },
    { seat: 1, head: { x: 12, y: 10 }, dir: "up" },
  ]);

describe("inputs in the sim", () => {
  test("a turn applies at the tick it is given: the cycle turns, then moves", () => {
    const { state, delta } = stepMatch(twoCycles(), [turn(0, "down")]);
    expect(delta).toEqual({ tick: 1, inputs: [turn(0, "down")] });
    expect(cycleOf(state, 0)).toMatchObject({ dir: "down", head: { x: 5, y: 6 }, corners: [{ x: 5, y: 5 }] });
    const again = stepMatch(state, [turn(0, "right")]).state;
    expect(cycleOf(again, 0)).toMatchObject({ dir: "right", head: { x: 6, y: 6 }, corners: [{ x: 5, y: 5 }, { x: 5, y: 6 }] });
  });

  test("a 180° reversal and a same-direction turn are refused: ignored and left out of the delta", () => {
    const refused: Direction[] = ["left", "right"];
    for (const dir of refused) {
      const { state, delta } = stepMatch(twoCycles(), [turn(0, dir)]);
      expect(delta.inputs).toEqual([]);
      expect(cycleOf(state, 0)).toMatchObject({ dir: "right", head: { x: 6, y: 5 }, alive: true });
    }
  });

  test("at most one turn per seat per tick: the first legal one", () => {
    const { state, delta } = stepMatch(twoCycles(), [turn(0, "left"), turn(0, "up"), turn(0, "down"), turn(1, "left")]);
    expect(delta.inputs).toEqual([turn(0, "up"), turn(1, "left")]);
    expect(cycleOf(state, 0).dir).toBe("up");
  });

  test("the delta lists inputs in seat order, leave before turn, whatever order they came in", () => {
    const three = playingState([
      { seat: 0, head: { x: 5, y: 5 }, dir: "right" },
      { seat: 1, head: { x: 12, y: 10 }, dir: "up" },
      { seat: 2, head: { x: 2, y: 12 }, dir: "up" },
    ]);
    const { delta } = stepMatch(three, [turn(2, "left"), turn(1, "right"), leave(1), turn(0, "up")]);
    expect(delta.inputs).toEqual([turn(0, "up"), leave(1), turn(2, "left")]);
  });

  test("turns of dead cycles, unknown seats and seats that left are ignored", () => {
    const state = playingState([
      { seat: 0, head: { x: 5, y: 5 }, dir: "right", alive: false },
      { seat: 1, head: { x: 12, y: 10 }, dir: "up" },
      { seat: 2, head: { x: 2, y: 12 }, dir: "up" },
    ]);
    const { delta, state: next } = stepMatch(state, [turn(0, "up"), turn(5, "up"), leave(2), turn(2, "left")]);
    expect(delta.inputs).toEqual([leave(2)]);
    expect(cycleOf(next, 0)).toBe(cycleOf(state, 0));
  });
});
