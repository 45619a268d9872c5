import { describe, expect, test } from "vitest";
import { countdownTicksFor, createMatch, GAME_LIMITS, roundOverTicksFor, stepMatch, trailCells } from "../src/index";
import { configWith, cycleOf, idle, leave, playingState, turn } from "./support/matches";

// Seat 0 drives into the right wall next tick; seat 1 has room.
const crashingFirst = () =>
  playingState([
    { seat: 0, head: { x: 19, y: 3 }, dir: "right" },
    { seat: 1, head: { x: 5, y: 10 }, dir: "up" },
  ]);

describe("rounds, scoring and the end of the game", () => {
  test("a match starts at tick 0 in round 1's countdown; nobody moves and turns are ignored until it ends", () => {
    const start = createMatch(configWith({ tickHz: 10 }));
    expect(start).toMatchObject({ tick: 0, phase: "countdown", round: 1, phaseTicksLeft: countdownTicksFor(10), scores: [0, 0] });
    expect(countdownTicksFor(10)).toBe(30);
    const turned = stepMatch(start, [turn(0, "left"), turn(1, "left")]);
    expect(turned.delta).toEqual({ tick: 1, inputs: [] });
    const almost = idle(turned.state, 28);
    expect(almost).toMatchObject({ tick: 29, phase: "countdown", phaseTicksLeft: 1 });
    expect(almost.cycles).toEqual(start.cycles);
    const playing = stepMatch(almost, []).state;
    expect(playing).toMatchObject({ tick: 30, phase: "playing", phaseTicksLeft: 0 });
    expect(playing.cycles).toEqual(start.cycles);
    const moved = stepMatch(playing, []).state;
    expect(moved.cycles.map((c) => trailCells(c).length)).toEqual([2, 2]);
  });

  test("the last cycle moving wins the round and a point; the next round respawns everyone after the pause", () => {
    const over = stepMatch(crashingFirst(), []).state;
    expect(over).toMatchObject({ phase: "roundOver", roundWinner: 1, scores: [0, 1], phaseTicksLeft: roundOverTicksFor(10) });
    const paused = idle(over, roundOverTicksFor(10) - 1);
    expect(paused).toMatchObject({ phase: "roundOver", round: 1, phaseTicksLeft: 1 });
    const next = stepMatch(paused, []).state;
    expect(next).toMatchObject({ phase: "countdown", round: 2, roundWinner: null, scores: [0, 1] });
    expect(next.cycles.every((c) => c.alive && c.corners.length === 1 && c.corners[0] === c.head)).toBe(true);
    expect(next.rng).not.toEqual(paused.rng);
  });

  test("when the last cycles die in the same tick the round is a draw: nobody scores", () => {
    const state = playingState([
      { seat: 0, head: { x: 19, y: 3 }, dir: "right" },
      { seat: 1, head: { x: 0, y: 10 }, dir: "left" },
    ]);
    const over = stepMatch({ ...state, scores: [1, 2] }, []).state;
    expect(over).toMatchObject({ phase: "roundOver", roundWinner: null, scores: [1, 2], winner: null });
  });

  test("a score reaching roundsToWin ends the game; a finished game stays over", () => {
    const over = stepMatch({ ...crashingFirst(), scores: [2, 2] }, []).state;
    expect(over).toMatchObject({ phase: "gameOver", roundWinner: 1, winner: 1, scores: [2, 3], phaseTicksLeft: 0 });
    const later = idle(over, 5);
    expect(later).toMatchObject({ phase: "gameOver", winner: 1, scores: [2, 3], tick: over.tick + 5 });
    expect(later.cycles).toEqual(over.cycles);
  });

  test("a seat leaving a two-seat game in the countdown forfeits it to the other seat", () => {
    const start = createMatch(configWith());
    const { state, delta } = stepMatch(start, [leave(1)]);
    expect(delta.inputs).toEqual([leave(1)]);
    expect(state).toMatchObject({ phase: "gameOver", winner: 0 });
    expect(cycleOf(state, 1)).toMatchObject({ left: true, alive: false });
  });

  test("leaving while playing: the survivor takes the round, then the game by forfeit; both leaving is a draw", () => {
    const state = playingState([
      { seat: 0, head: { x: 5, y: 3 }, dir: "right" },
      { seat: 1, head: { x: 5, y: 10 }, dir: "up" },
    ]);
    expect(stepMatch(state, [leave(0)]).state).toMatchObject({ phase: "gameOver", roundWinner: 1, winner: 1, scores: [0, 1] });
    expect(stepMatch(state, [leave(0), leave(1)]).state).toMatchObject({ phase: "gameOver", roundWinner: null, winner: null });
  });

  test("with three seats one leaving does not end the game; its trail stays a wall this round", () => {
    const state = playingState([
      { seat: 0, head: { x: 5, y: 3 }, dir: "right" },
      { seat: 1, head: { x: 5, y: 10 }, dir: "up" },
      { seat: 2, head: { x: 15, y: 10 }, dir: "up" },
    ]);
    const afterLeave = stepMatch(state, [leave(2)]).state;
    expect(afterLeave.phase).toBe("playing");
    expect(trailCells(cycleOf(afterLeave, 2))).toEqual([{ x: 15, y: 10 }]);
    expect(cycleOf(afterLeave, 2)).toMatchObject({ left: true, alive: false });
    const secondLeave = stepMatch(afterLeave, [leave(1)]).state;
    expect(secondLeave).toMatchObject({ phase: "gameOver", winner: 0 });
  });

  test("a seat that left gets no spawn and no trail in later rounds", () => {
    const state = playingState([
      { seat: 0, head: { x: 5, y: 3 }, dir: "right" },
      { seat: 1, head: { x: 5, y: 0 }, dir: "up" },
      { seat: 2, head: { x: 15, y: 10 }, dir: "up" },
    ]);
    const over = stepMatch(state, [leave(2)]).state;
    expect(over).toMatchObject({ phase: "roundOver", roundWinner: 0, scores: [1, 0, 0] });
    const countdown = idle(over, roundOverTicksFor(10));
    expect(countdown).toMatchObject({ phase: "countdown", round: 2 });
    expect(cycleOf(countdown, 2)).toMatchObject({ left: true, alive: false, corners: [] });
    expect(trailCells(cycleOf(countdown, 2))).toEqual([]);
    expect([cycleOf(countdown, 0).alive, cycleOf(countdown, 1).alive]).toEqual([true, true]);
  });

  test("a leave counts in every phase, once: a second leave is not applied again", () => {
    const over = stepMatch(crashingFirst(), []).state;
    expect(over.phase).toBe("roundOver");
    const left = stepMatch(over, [leave(0)]);
    expect(left.state).toMatchObject({ phase: "gameOver", winner: 1 });
    expect(stepMatch(left.state, [leave(0)]).delta.inputs).toEqual([]);
  });

  test("at GAME_LIMITS.maxGameTicks the game ends as it stands: the single top scorer wins, a tie is a draw", () => {
    const state = playingState([
      { seat: 0, head: { x: 5, y: 3 }, dir: "right" },
      { seat: 1, head: { x: 5, y: 10 }, dir: "up" },
    ]);
    const last = { ...state, tick: GAME_LIMITS.maxGameTicks - 1 };
    expect(stepMatch({ ...last, scores: [2, 1] }, []).state).toMatchObject({ phase: "gameOver", winner: 0, tick: GAME_LIMITS.maxGameTicks });
    expect(stepMatch({ ...last, scores: [1, 1] }, []).state).toMatchObject({ phase: "gameOver", winner: null });
    expect(stepMatch({ ...last, tick: last.tick - 1 }, []).state.phase).toBe("playing");
  });
});
