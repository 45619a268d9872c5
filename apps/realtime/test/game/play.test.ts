import { finalState, stateHash } from "@repo/game";
import { GameReplayResponse, gamePaths } from "@repo/protocol";
import { afterAll, beforeAll, describe, test } from "vitest";
import { GameView, Steering, cautious, cautiousThenSpiral, createGame, player, startGameServer, transports, waitFor, type TestServer } from "./support/game-harness";

let server: TestServer;
beforeAll(async () => {
  server = await startGameServer();
});
afterAll(async () => {
  await server?.stop();
});

/** Every transport plays once as each role: Ada, Bob, the spectator, and what Bob switches to mid-game. */
const casts = transports.map((ada, i) => ({
  ada,
  bob: transports[(i + 1) % transports.length]!,
  spectator: transports[(i + 2) % transports.length]!,
  switchTo: transports[(i + 3) % transports.length]!,
}));

describe.concurrent("a full game between two scripted players", () => {
  // The four games run at once: each is mostly its 3 s countdown.
  test.for(casts)(
    "Ada on $ada.name, Bob on $bob.name (switching to $switchTo.name mid-game), a spectator on $spectator.name: one final state",
    async ({ ada: adaRow, bob: bobRow, spectator: eveRow, switchTo }, { expect }) => {
      const ada = await player(server, "Ada", adaRow.name, adaRow.options);
      const bob = await player(server, "Bob", bobRow.name, bobRow.options);
      const eve = await player(server, "Eve", eveRow.name, eveRow.options);
      try {
        const game = await createGame(ada, { maxSeats: 2, tickHz: 10, roundsToWin: 1 });
        const adaView = await GameView.follow(ada.client, game.id);
        await bob.client.send({ type: "game.join", payload: { gameId: game.id } });
        const bobView = await GameView.follow(bob.client, game.id);
        await bob.client.send({ type: "game.ready", payload: { gameId: game.id, ready: true } });
        const adaSteering = new Steering(ada, game.id, 0);
        const bobSteering = new Steering(bob, game.id, 1);
        // Both steer clear of walls and trails; a second into the round Ada turns left until her cycle runs into its own trail.
        adaView.onTick = cautiousThenSpiral(adaSteering, 10);
        bobView.onTick = cautious(bobSteering, 6);
        const started = await ada.client.send({ type: "game.start", payload: { gameId: game.id } });
        expect(started.game.status).toBe("playing");

        // Mid-game (the round is under way): a spectator joins, and Bob changes transport.
        // (Should a late input on a loaded machine end the round first, they join a finished game: the same end.)
        await waitFor(() => (adaView.state?.phase === "playing" && adaView.state.tick >= 33) || adaView.over !== null, "the round under way");
        const eveView = await GameView.follow(eve.client, game.id);
        bob.client.switchTransport(switchTo.name);

        const [over, bobOver, eveOver] = await Promise.all([adaView.untilOver(), bobView.untilOver(), eveView.untilOver()]);
        expect(over.abandoned).toBe(false);
        expect(bobOver).toEqual(over);
        expect(eveOver).toEqual(over);
        for (const view of [adaView, bobView, eveView]) {
          expect(view.problems).toEqual([]);
          // Exact convergence: no view ever had to refetch, and each ends in the server's final state.
          expect(view.refetches).toBe(0);
          expect(stateHash(view.state!)).toBe(over.stateHash);
          expect(view.state!.scores).toEqual(over.scores);
        }
        expect(bob.client.transportInUse).toBe(switchTo.name);
        // Periodic snapshots arrived for ticks the views had computed themselves, and matched.
        expect(adaView.snapshotsMatched).toBeGreaterThan(0);
        // Every input was taken (none refused), and each was acknowledged by a later tick.
        expect([...adaSteering.errors, ...bobSteering.errors]).toEqual([]);
        expect(adaView.acks["0"]).toBe(adaSteering.seq);
        expect(adaView.acks["1"]).toBe(bobSteering.seq);

        // Each tick's lateness against its slot is in the service's metrics.
        expect(await server.gauge("switchboard_game_tick_lateness_seconds_count")).toBeGreaterThanOrEqual(over.tick);

        // The stored game replays to the same end.
        const replay = await eve.client.get(gamePaths.replay(game.id), GameReplayResponse);
        expect(stateHash(finalState(replay.config, replay.log))).toBe(over.stateHash);
        expect(replay.result).toMatchObject({ stateHash: over.stateHash, scores: over.scores, winner: over.winner });
        expect(replay.result.players.map((p) => p.user?.id ?? null)).toEqual([ada.session.user.id, bob.session.user.id]);
      } finally {
        for (const p of [ada, bob, eve]) p.client.close();
      }
    },
  );
});
