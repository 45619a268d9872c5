import { GameResponse, gamePaths, gameTopic, type GameSummary } from "@repo/protocol";
import { afterAll, beforeAll, describe, test, type ExpectStatic } from "vitest";
import { GameView, SHORT_GAME_RETENTION, createGame, player, sleep, startGameServer, transports, waitFor, type Player, type TestServer } from "./support/game-harness";

/*
 * A game with no human left ends and leaves nothing behind: no tick loop, no
 * timer, no game in memory, no readers on its topic (they are told it ended),
 * and the hub forgets the topic; nothing is stored for an abandoned game.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startGameServer({ config: { retention: SHORT_GAME_RETENTION }, game: { finishedLingerMs: 1500 } });
});
afterAll(async () => {
  await server?.stop();
});

async function gameRows(): Promise<number> {
  return server.db.prisma.game.count();
}

/** Nothing of the game is left: feature gauges at zero, the topic's readers gone, the hub's topic forgotten. */
async function expectNothingLeft(game: GameSummary, epoch: string, watcher: Player, expect: ExpectStatic) {
  await expect(watcher.client.get(gamePaths.game(game.id), GameResponse)).rejects.toMatchObject({ code: "not_found" });
  await waitFor(async () => (await server.gauge("switchboard_game_loops")) === 0 && (await server.gauge("switchboard_game_timers")) === 0, "loops and timers gone");
  // The hub forgets an idle topic (no listener, nothing recent): a fresh one has a new epoch and no events.
  // Each look touches the topic, so look seldom (its idle time here is 300 ms).
  for (let look = 0; ; look++) {
    await sleep(1000);
    const head = await server.server.hub.head(gameTopic(game.id));
    if (head.epoch !== epoch && head.offset === 0) break;
    if (look === 5) throw new Error("the hub still holds the closed game's topic");
  }
}

describe("an abandoned game", () => {
  test.concurrent.for(transports)("its only player disconnects (on $name): after the grace period the game ends and leaves nothing", async ({ name, options }, { expect }) => {
    const ada = await player(server, "Ada", name, options);
    const eve = await player(server, "Eve", "websocket");
    try {
      const game = await createGame(ada, { maxSeats: 3, tickHz: 10, roundsToWin: 9 });
      const adaView = await GameView.follow(ada.client, game.id);
      await ada.client.send({ type: "game.addBot", payload: { gameId: game.id } });
      await ada.client.send({ type: "game.addBot", payload: { gameId: game.id } });
      await ada.client.send({ type: "game.start", payload: { gameId: game.id } });
      const eveView = await GameView.follow(eve.client, game.id);
      await waitFor(() => (eveView.state?.tick ?? 0) > 3 && adaView.summary?.seats[0]?.connected === true, "the game under way, Ada connected");
      const epoch = (await server.server.hub.head(gameTopic(game.id))).epoch;
      const rowsBefore = await gameRows();

      // Ada vanishes (tab closed): presence loses her after its TTL, then her grace period runs out.
      ada.client.close();
      await waitFor(() => eveView.summary?.seats[0]?.connected === false, "Ada shown as away");
      const over = await eveView.untilOver(10_000);
      expect(over.abandoned).toBe(true);
      expect(over.winner).toBeNull();
      expect(eveView.state?.cycles[0]?.left).toBe(true);
      // The spectator's subscription ends: the topic is refused from now on.
      await waitFor(() => eveView.problems.includes("subscription refused: forbidden"), "the spectator told the game ended");
      await expectNothingLeft(game, epoch, eve, expect);
      expect(await gameRows()).toBe(rowsBefore);
    } finally {
      ada.client.close();
      eve.client.close();
    }
  });

  test("its only player leaves during the countdown: it ends at the next tick", async ({ expect }) => {
    const ada = await player(server, "Ada", "sse");
    try {
      const game = await createGame(ada, { maxSeats: 3, tickHz: 10 });
      const view = await GameView.follow(ada.client, game.id);
      await ada.client.send({ type: "game.addBot", payload: { gameId: game.id } });
      await ada.client.send({ type: "game.addBot", payload: { gameId: game.id } });
      await ada.client.send({ type: "game.start", payload: { gameId: game.id } });
      await waitFor(() => view.state !== null, "the first snapshot");
      const epoch = (await server.server.hub.head(gameTopic(game.id))).epoch;
      await ada.client.send({ type: "game.leave", payload: { gameId: game.id } });
      const over = await view.untilOver(5000);
      expect(over).toMatchObject({ abandoned: true, winner: null });
      expect(view.state?.phase).toBe("countdown");
      await expectNothingLeft(game, epoch, ada, expect);
    } finally {
      ada.client.close();
    }
  });

  test("a finished game lingers for a rematch, then closes; the rematch is a new game with the same settings and seats", async ({ expect }) => {
    const ada = await player(server, "Ada", "websocket");
    const bob = await player(server, "Bob", "long-polling");
    try {
      const game = await createGame(ada, { maxSeats: 3, tickHz: 10, roundsToWin: 2 });
      const view = await GameView.follow(ada.client, game.id);
      await bob.client.send({ type: "game.join", payload: { gameId: game.id } });
      await bob.client.send({ type: "game.ready", payload: { gameId: game.id, ready: true } });
      await ada.client.send({ type: "game.start", payload: { gameId: game.id } });
      await waitFor(() => view.state !== null, "the first snapshot");
      await expect(ada.client.send({ type: "game.rematch", payload: { gameId: game.id } })).rejects.toMatchObject({ code: "conflict" });
      const epoch = (await server.server.hub.head(gameTopic(game.id))).epoch;
      const rowsBefore = await gameRows();

      // Bob forfeits: Ada is the only one left in the game and wins it; that result is stored.
      await bob.client.send({ type: "game.leave", payload: { gameId: game.id } });
      const over = await view.untilOver(5000);
      expect(over).toMatchObject({ abandoned: false, winner: 0 });
      expect(await gameRows()).toBe(rowsBefore + 1);
      const finished = await ada.client.get(gamePaths.game(game.id), GameResponse);
      expect(finished.game.status).toBe("finished");
      expect(finished.result).toMatchObject({ winner: 0, stateHash: over.stateHash });

      // Both may ask for a rematch (Bob too, though he left): one new game, same settings, their old seats.
      const eve = await player(server, "Eve", "websocket");
      await expect(eve.client.send({ type: "game.rematch", payload: { gameId: game.id } })).rejects.toMatchObject({ code: "forbidden" });
      eve.client.close();
      const rematch = (await bob.client.send({ type: "game.rematch", payload: { gameId: game.id } })).game;
      const joined = (await ada.client.send({ type: "game.rematch", payload: { gameId: game.id } })).game;
      expect(joined.id).toBe(rematch.id);
      expect(rematch.id).not.toBe(game.id);
      expect(joined).toMatchObject({ status: "waiting", settings: game.settings, host: { id: bob.session.user.id } });
      expect(joined.seats.map((s) => [s.seat, s.user?.id])).toEqual([
        [0, ada.session.user.id],
        [1, bob.session.user.id],
      ]);
      await waitFor(() => view.summary?.rematchId === rematch.id, "the old game pointing to the rematch");
      // Ada follows the rematch; Bob does not, so after his grace period his seat is free again.
      const next = await GameView.follow(ada.client, rematch.id);
      await waitFor(() => next.summary?.seats.length === 1, "Bob's seat freed after his grace period", 8000);
      expect(next.summary?.host.id).toBe(ada.session.user.id);

      // The linger runs out: the finished game closes; the rematch stays while Ada is in it.
      await waitFor(() => view.problems.includes("subscription refused: forbidden"), "the finished game closed", 8000);
      expect(await server.gauge('switchboard_games{status="finished"}')).toBe(0);
      expect(await server.gauge('switchboard_games{status="waiting"}')).toBe(1);
      await ada.client.send({ type: "game.leave", payload: { gameId: rematch.id } });
      expect(await server.gauge('switchboard_games{status="waiting"}')).toBe(0);
      await expectNothingLeft(game, epoch, ada, expect);
    } finally {
      ada.client.close();
      bob.client.close();
    }
  });
});
