import type { Database } from "@repo/db";
import { engineCases, type Engine } from "@repo/db/testing";
import { finalState, stateHash } from "@repo/game";
import { GameReplayResponse, LeaderboardResponse, gamePaths } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GameView, Steering, cautious, cautiousThenSpiral, createGame, player, startGameServer, waitFor, type TestServer } from "./support/game-harness";

/*
 * A finished game is stored once (not per tick): its config and seed, the
 * input log, the scores and the winner. Replaying the stored log with
 * @repo/game ends in the stored result, after a restart too; the leaderboard
 * counts wins per user. On PGlite on disk and on PostgreSQL.
 */
const engines = (await engineCases()).filter((c) => c.name === "pglite (on disk)" || c.name === "postgres");

describe.each(engines)("stored games on $name", ({ make, skip }) => {
  if (skip) {
    test.skip(`skipped: ${skip}`, () => {});
    return;
  }
  let engine: Engine;
  let db: Database;
  let server: TestServer;
  beforeAll(async () => {
    engine = await make();
    db = await engine.open();
    server = await startGameServer({ db });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close();
    await engine?.teardown();
  });

  test("a played game's stored log replays to its stored result; the leaderboard counts the win", async () => {
    const ada = await player(server, "Ada", "websocket");
    const bob = await player(server, "Bob", "sse");
    try {
      const game = await createGame(ada, { maxSeats: 2, tickHz: 30, roundsToWin: 1 });
      const view = await GameView.follow(ada.client, game.id);
      await bob.client.send({ type: "game.join", payload: { gameId: game.id } });
      const bobView = await GameView.follow(bob.client, game.id);
      await bob.client.send({ type: "game.ready", payload: { gameId: game.id, ready: true } });
      view.onTick = cautiousThenSpiral(new Steering(ada, game.id, 0), 10);
      bobView.onTick = cautious(new Steering(bob, game.id, 1), 6);
      const rowsBefore = await db.prisma.game.count();
      await ada.client.send({ type: "game.start", payload: { gameId: game.id } });
      // While it runs, nothing is written (one write when it ends).
      await waitFor(() => (view.state?.tick ?? 0) >= 30, "the game under way");
      expect(await db.prisma.game.count()).toBe(rowsBefore);
      const over = await view.untilOver();
      await bobView.untilOver();

      const replay = await ada.client.get(gamePaths.replay(game.id), GameReplayResponse);
      expect(replay.log.length).toBeGreaterThan(0);
      expect(replay.config.seats).toEqual([
        { seat: 0, kind: "human" },
        { seat: 1, kind: "human" },
      ]);
      const replayed = finalState(replay.config, replay.log);
      expect(stateHash(replayed)).toBe(replay.result.stateHash);
      expect(replay.result).toMatchObject({ stateHash: over.stateHash, scores: over.scores, winner: over.winner, ticks: over.tick });
      expect(replayed.phase).toBe("gameOver");

      const winner = over.winner === 0 ? ada : over.winner === 1 ? bob : null;
      const board = await ada.client.get(`${gamePaths.leaderboard}?limit=100`, LeaderboardResponse);
      if (winner) {
        expect(board.entries.find((e) => e.user.id === winner.session.user.id)).toEqual({ user: winner.session.user, wins: 1, games: 1 });
      }
      const loser = winner === ada ? bob : ada;
      expect(board.entries.find((e) => e.user.id === loser.session.user.id)).toBeUndefined();

      // After a restart the stored game is still there, and replays the same.
      await server.stop();
      await db.close();
      db = await engine.open();
      server = await startGameServer({ db });
      const reader = await player(server, "Reader", "polling");
      const again = await reader.client.get(gamePaths.replay(game.id), GameReplayResponse);
      expect(again).toEqual(replay);
      reader.client.close();
    } finally {
      ada.client.close();
      bob.client.close();
    }
  });

  test("the leaderboard's limit is checked", async () => {
    const ada = await player(server, "Ada", "polling");
    try {
      await expect(ada.client.get(`${gamePaths.leaderboard}?limit=0`, LeaderboardResponse)).rejects.toMatchObject({ code: "validation" });
      await expect(ada.client.get(`${gamePaths.leaderboard}?limit=101`, LeaderboardResponse)).rejects.toMatchObject({ code: "validation" });
      expect((await ada.client.get(`${gamePaths.leaderboard}?limit=1`, LeaderboardResponse)).entries.length).toBeLessThanOrEqual(1);
    } finally {
      ada.client.close();
    }
  });
});
