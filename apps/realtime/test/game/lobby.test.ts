import { GAME_EVENTS, GAME_LOBBY_TOPIC, GameEvent, GameLobbyResponse, GameResponse, gamePaths, type GameSummary } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GameView, createGame, player, startGameServer, waitFor, type Player, type TestServer } from "./support/game-harness";

let server: TestServer;
const players: Player[] = [];
beforeAll(async () => {
  server = await startGameServer({ game: { gamesPerUser: 2, maxGames: 6 } });
});
afterAll(async () => {
  for (const p of players) p.client.close();
  await server?.stop();
});

async function someone(name: string, transport = "websocket"): Promise<Player> {
  const p = await player(server, name, transport);
  players.push(p);
  return p;
}

const ref = (game: GameSummary) => ({ gameId: game.id });

describe("the lobby", () => {
  test("create, join, ready, bots and start, each live on game:lobby and game:<id>", async () => {
    const ada = await someone("Ada");
    const bob = await someone("Bob", "sse");
    // Follow the lobby from the position GET /v1/games gives.
    const listed = await bob.client.get(gamePaths.lobby, GameLobbyResponse);
    const lobby: GameEvent[] = [];
    bob.client.subscribe(GAME_LOBBY_TOPIC, (event) => void lobby.push(GameEvent.parse({ type: event.type, payload: event.payload })), {
      cursor: listed.position,
    });
    await bob.client.whenOpen();

    const game = await createGame(ada, { maxSeats: 3, tickHz: 10, roundsToWin: 2 });
    expect(game).toMatchObject({
      status: "waiting",
      host: { id: ada.session.user.id, name: "Ada" },
      settings: { maxSeats: 3, tickHz: 10, roundsToWin: 2, width: 64, height: 48 },
      seats: [{ seat: 0, kind: "human", user: { id: ada.session.user.id, name: "Ada" }, ready: false, left: false }],
      rematchId: null,
    });
    // The signed-in user's session never reaches the wire: only id and name.
    expect(Object.keys(game.host).sort()).toEqual(["id", "name"]);
    const view = await GameView.follow(ada.client, game.id);

    // Only the host adds bots and starts; a bot is always ready.
    await expect(bob.client.send({ type: "game.addBot", payload: ref(game) })).rejects.toMatchObject({ code: "forbidden" });
    await bob.client.send({ type: "game.join", payload: ref(game) });
    // Joining again changes nothing.
    expect((await bob.client.send({ type: "game.join", payload: ref(game) })).game.seats).toHaveLength(2);
    await expect(ada.client.send({ type: "game.start", payload: ref(game) })).rejects.toMatchObject({ code: "conflict", message: "Not every player is ready" });
    await bob.client.send({ type: "game.ready", payload: { ...ref(game), ready: true } });
    const withBot = (await ada.client.send({ type: "game.addBot", payload: ref(game) })).game;
    expect(withBot.seats.map((s) => [s.seat, s.kind, s.ready])).toEqual([
      [0, "human", false],
      [1, "human", true],
      [2, "bot", true],
    ]);
    // Full: no fourth seat, not even a bot.
    const carol = await someone("Carol");
    await expect(carol.client.send({ type: "game.join", payload: ref(game) })).rejects.toMatchObject({ code: "conflict", message: "The game is full" });
    await expect(ada.client.send({ type: "game.addBot", payload: ref(game) })).rejects.toMatchObject({ code: "conflict" });

    const started = (await ada.client.send({ type: "game.start", payload: ref(game) })).game;
    expect(started.status).toBe("playing");
    await expect(carol.client.send({ type: "game.join", payload: ref(game) })).rejects.toMatchObject({ code: "conflict" });
    await expect(ada.client.send({ type: "game.start", payload: ref(game) })).rejects.toMatchObject({ code: "conflict" });

    // The match's first snapshot (tick 0) follows the seating; the lobby saw every step.
    await waitFor(() => view.state !== null && view.summary?.status === "playing", "the first snapshot");
    expect(view.state?.config.seats).toEqual([
      { seat: 0, kind: "human" },
      { seat: 1, kind: "human" },
      { seat: 2, kind: "bot" },
    ]);
    await waitFor(() => lobby.filter((e) => e.type === GAME_EVENTS.lobbyUpdated && e.payload.game.id === game.id).length >= 5, "the lobby's updates");
    const statuses = lobby.flatMap((e) => (e.type === GAME_EVENTS.lobbyUpdated && e.payload.game.id === game.id ? [e.payload.game.status] : []));
    expect(statuses.at(0)).toBe("waiting");
    expect(statuses.at(-1)).toBe("playing");
    const now = await carol.client.get(gamePaths.lobby, GameLobbyResponse);
    expect(now.games.find((g) => g.id === game.id)?.status).toBe("playing");

    // Leaving mid-game puts the cycle out at the next tick, at once.
    await bob.client.send({ type: "game.leave", payload: ref(game) });
    await waitFor(() => view.state?.cycles.find((c) => c.seat === 1)?.left === true, "Bob's cycle out");
    expect(view.summary?.seats.find((s) => s.seat === 1)?.left).toBe(true);
    await ada.client.send({ type: "game.leave", payload: ref(game) });
    view.close();
  });

  test("a waiting game passes its host on when the host leaves, and closes when no human is left", async () => {
    const ada = await someone("Ada");
    const bob = await someone("Bob");
    const game = await createGame(ada);
    await ada.client.send({ type: "game.addBot", payload: ref(game) });
    const joined = (await bob.client.send({ type: "game.join", payload: ref(game) })).game;
    expect(joined.seats.map((s) => s.seat)).toEqual([0, 1, 2]);
    await ada.client.send({ type: "game.leave", payload: ref(game) });
    // Leaving again (a retry) changes nothing.
    await ada.client.send({ type: "game.leave", payload: ref(game) });
    const after = await bob.client.get(gamePaths.game(game.id), GameResponse);
    expect(after.game.host.id).toBe(bob.session.user.id);
    expect(after.game.seats.map((s) => s.seat)).toEqual([1, 2]);
    expect(after.snapshot).toBeNull();
    // Bob may now do what hosts do; when he leaves only a bot is left, and the game closes.
    await bob.client.send({ type: "game.addBot", payload: ref(game) });
    await bob.client.send({ type: "game.leave", payload: ref(game) });
    await expect(bob.client.get(gamePaths.game(game.id), GameResponse)).rejects.toMatchObject({ code: "not_found" });
    await expect(bob.client.send({ type: "game.join", payload: ref(game) })).rejects.toMatchObject({ code: "not_found" });
  });

  test("a user sits in at most gamesPerUser games; the instance holds at most maxGames", async () => {
    const ada = await someone("Ada");
    const first = await createGame(ada);
    await createGame(ada);
    await expect(createGame(ada)).rejects.toMatchObject({ code: "conflict", message: "You are in 2 games already; leave one first" });
    await ada.client.send({ type: "game.leave", payload: ref(first) });
    const third = await createGame(ada);

    const hosts = [await someone("H1"), await someone("H2"), await someone("H3"), await someone("H4"), await someone("H5")];
    const made: GameSummary[] = [];
    const refused: unknown[] = [];
    for (const host of hosts) {
      try {
        made.push(await createGame(host));
      } catch (error) {
        refused.push(error);
      }
    }
    const { games } = await ada.client.get(gamePaths.lobby, GameLobbyResponse);
    expect(games.length).toBeLessThanOrEqual(6);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ code: "conflict", message: "The server holds as many games as it can; try again later" });
    for (const game of [...made, third]) {
      const host = hosts.find((h) => h.session.user.id === game.host.id) ?? ada;
      await host.client.send({ type: "game.leave", payload: ref(game) });
    }
  });

  test("unknown games are not_found; a malformed id is a validation error", async () => {
    const ada = await someone("Ada");
    await expect(ada.client.send({ type: "game.join", payload: { gameId: "AAAAAAAAAAAA" } })).rejects.toMatchObject({ code: "not_found" });
    await expect(ada.client.get(gamePaths.game("AAAAAAAAAAAA"), GameResponse)).rejects.toMatchObject({ code: "not_found" });
    await expect(ada.client.get(gamePaths.game("lobby"), GameResponse)).rejects.toMatchObject({ code: "validation" });
    await expect(ada.client.get(gamePaths.replay("AAAAAAAAAAAA"), GameResponse)).rejects.toMatchObject({ code: "not_found" });
  });
});
