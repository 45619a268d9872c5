import { describe, expect, test } from "vitest";
import { botAction, GAME_LIMITS, stepMatch, type MatchConfig } from "../src/index";
import { cycleOf, playGame, playingState } from "./support/matches";

const botsConfig = (seatCount: number, seed: number): MatchConfig => ({
  seed,
  width: GAME_LIMITS.width,
  height: GAME_LIMITS.height,
  roundsToWin: GAME_LIMITS.roundsToWinDefault,
  tickHz: GAME_LIMITS.tickHzDefault,
  seats: Array.from({ length: seatCount }, (_, seat) => ({ seat, kind: "bot" })),
});

describe("the bot", () => {
  test("keeps going while the way ahead is free", () => {
    const state = playingState([
      { seat: 0, head: { x: 10, y: 5 }, dir: "right" },
      { seat: 1, head: { x: 5, y: 12 }, dir: "up" },
    ]);
    expect(botAction(state, 0)).toBeNull();
  });

  test("turns away from the wall in front of it, to the side with more room, and survives", () => {
    const state = playingState([
      { seat: 0, head: { x: 19, y: 3 }, dir: "right" },
      { seat: 1, head: { x: 5, y: 12 }, dir: "up" },
    ]);
    const action = botAction(state, 0);
    expect(action).toEqual({ type: "turn", dir: "down" });
    const next = stepMatch(state, action === null ? [] : [{ seat: 0, action }]).state;
    expect(cycleOf(next, 0)).toMatchObject({ alive: true, head: { x: 19, y: 4 } });
  });

  test("turns away from a trail in front of it", () => {
    const state = playingState([
      { seat: 0, head: { x: 8, y: 4 }, dir: "down" },
      { seat: 1, head: { x: 12, y: 5 }, dir: "right", corners: [{ x: 2, y: 5 }, { x: 12, y: 5 }] },
    ]);
    expect(botAction(state, 0)).toEqual({ type: "turn", dir: "right" });
  });

  test("does nothing outside play or when dead", () => {
    const state = playingState([
      { seat: 0, head: { x: 19, y: 3 }, dir: "right", alive: false },
      { seat: 1, head: { x: 19, y: 12 }, dir: "right" },
    ]);
    expect(botAction(state, 0)).toBeNull();
    expect(botAction({ ...state, phase: "countdown" }, 1)).toBeNull();
    expect(botAction(state, 5)).toBeNull();
  });

  test.each([
    [2, 1],
    [2, 2026],
    [8, 3],
  ])("%i bots (seed %i) play a whole game to gameOver within maxGameTicks", (seats, seed) => {
    const game = playGame(botsConfig(seats, seed));
    const last = game.states.at(-1);
    expect(last).toMatchObject({ phase: "gameOver" });
    expect(last?.tick).toBeLessThan(GAME_LIMITS.maxGameTicks);
    expect(last?.winner).not.toBeNull();
    expect(last?.scores).toContain(GAME_LIMITS.roundsToWinDefault);
    expect(last?.round).toBeGreaterThanOrEqual(GAME_LIMITS.roundsToWinDefault);
  });
});
