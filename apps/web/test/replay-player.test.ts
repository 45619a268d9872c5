import { botAction, createMatch, logEntriesOf, stateHash, stepMatch, tickMsFor, type InputLogEntry, type MatchConfig, type TickInput } from "@repo/game";
import type { GameReplayResponse } from "@repo/protocol";
import { describe, expect, it } from "vitest";
import { ReplayPlayer } from "../src/features/game/state/replay-player";
import { ADA, Clock } from "./support/game-harness";

const CONFIG: MatchConfig = {
  seed: 1234,
  width: 24,
  height: 16,
  roundsToWin: 2,
  tickHz: 10,
  seats: [
    { seat: 0, kind: "human" },
    { seat: 1, kind: "bot" },
  ],
};

/** A whole game as the service would store it: bots steer seat 1, seat 0 turns now and then. */
function finishedGame(): GameReplayResponse {
  let state = createMatch(CONFIG);
  const log: InputLogEntry[] = [];
  while (state.phase !== "gameOver") {
    const inputs: TickInput[] = [];
    const bot = botAction(state, 1);
    if (bot) inputs.push({ seat: 1, action: bot });
    if (state.tick % 7 === 3) inputs.push({ seat: 0, action: { type: "turn", dir: state.tick % 2 ? "left" : "up" } });
    const step = stepMatch(state, inputs);
    log.push(...logEntriesOf(step.delta));
    state = step.state;
  }
  return {
    config: CONFIG,
    log,
    result: {
      scores: state.scores,
      winner: state.winner,
      ticks: state.tick,
      stateHash: stateHash(state),
      finishedAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
      players: [
        { seat: 0, kind: "human", user: ADA, score: state.scores[0] ?? 0, won: state.winner === 0 },
        { seat: 1, kind: "bot", user: null, score: state.scores[1] ?? 0, won: state.winner === 1 },
      ],
    },
  };
}

describe("ReplayPlayer", () => {
  it("plays the stored inputs tick by tick, at its speed, and ends in the stored result", () => {
    const replay = finishedGame();
    const clock = new Clock();
    const player = new ReplayPlayer(replay, clock.now);
    expect(player.getSnapshot()).toMatchObject({ playing: false, tick: 0, lastTick: replay.result.ticks, done: false, verdict: null });

    player.play();
    player.setSpeed(4);
    const tickMs = tickMsFor(CONFIG.tickHz);
    clock.advance(10 * tickMs);
    const frame = player.frame();
    expect(frame.tick).toBeCloseTo(40, 5); // 10 ticks' time at 4×
    expect(frame.to.tick - frame.from.tick).toBe(1);

    let last = frame.tick;
    while (!player.getSnapshot().done) {
      clock.advance(tickMs);
      const next = player.frame();
      expect(next.tick).toBeGreaterThanOrEqual(last);
      expect(next.tick).toBeLessThanOrEqual(replay.result.ticks);
      last = next.tick;
    }
    const snapshot = player.getSnapshot();
    expect(snapshot).toMatchObject({ playing: false, tick: replay.result.ticks, done: true });
    expect(snapshot.verdict).toEqual({ hash: replay.result.stateHash, storedHash: replay.result.stateHash, scoresMatch: true, winnerMatch: true, matches: true });
    expect(snapshot.match.phase).toBe("gameOver");
    expect(snapshot.match.scores).toEqual(replay.result.scores);
  });

  it("says so when the stored result is not where the inputs lead", () => {
    const replay = finishedGame();
    const tampered: GameReplayResponse = { ...replay, result: { ...replay.result, stateHash: "0000000000000000", scores: [9, 9] } };
    const player = new ReplayPlayer(tampered, new Clock().now);
    player.skipToEnd();
    expect(player.getSnapshot().verdict).toMatchObject({ matches: false, scoresMatch: false, storedHash: "0000000000000000" });
  });

  it("pauses where it is, and starts over from tick 0", () => {
    const replay = finishedGame();
    const clock = new Clock();
    const player = new ReplayPlayer(replay, clock.now);
    const tickMs = tickMsFor(CONFIG.tickHz);
    player.play();
    clock.advance(5 * tickMs);
    player.frame();
    player.pause();
    clock.advance(50 * tickMs);
    expect(player.frame().tick).toBeCloseTo(5, 5);

    player.skipToEnd();
    expect(player.getSnapshot()).toMatchObject({ done: true, tick: replay.result.ticks });
    player.restart();
    expect(player.getSnapshot()).toMatchObject({ done: false, tick: 0, playing: true });
    clock.advance(3 * tickMs);
    expect(player.frame().tick).toBeCloseTo(3, 5);
  });
});
