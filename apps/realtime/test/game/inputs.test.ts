import { countdownTicksFor, leftOf, opposite, rightOf } from "@repo/game";
import type { GameSummary } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GameView, createGame, player, startGameServer, waitFor, type Player, type TestServer } from "./support/game-harness";

/*
 * The input rules at the service: only one's own seat, only legal turns, at
 * most a few per tick, duplicates dropped by seq, late inputs applied at the
 * next tick and flagged. A refused input changes nothing.
 */
let server: TestServer;
let ada: Player;
let bob: Player;
let eve: Player;
let game: GameSummary;
let view: GameView;

beforeAll(async () => {
  server = await startGameServer();
  [ada, bob, eve] = await Promise.all([player(server, "Ada", "websocket"), player(server, "Bob", "websocket"), player(server, "Eve", "sse")]);
  // 5 Hz: 200 ms per tick, so a burst of inputs lands between two ticks. Two bots keep the round going.
  game = await createGame(ada, { maxSeats: 3, tickHz: 5, roundsToWin: 9 });
  view = await GameView.follow(ada.client, game.id);
  await ada.client.send({ type: "game.addBot", payload: { gameId: game.id } });
  await ada.client.send({ type: "game.addBot", payload: { gameId: game.id } });
});
afterAll(async () => {
  view?.close();
  for (const p of [ada, bob, eve]) p?.client.close();
  await server?.stop();
});

const input = (who: Player, seq: number, dir: "up" | "down" | "left" | "right", forTick?: number) =>
  who.client.send({ type: "game.input", payload: { gameId: game.id, seq, dir, ...(forTick === undefined ? {} : { forTick }) } });

/** Resolves once the next tick has arrived: a fresh budget of offers (inputsPerTickMax counts refused ones too). */
async function nextTick() {
  const tick = view.state?.tick ?? -1;
  await waitFor(() => (view.state?.tick ?? -1) > tick, "the next tick");
}

/** Ada's cycle now, from her view. */
function mine() {
  const cycle = view.state?.cycles.find((c) => c.seat === 0);
  if (!view.state || !cycle) throw new Error("no state yet");
  return { state: view.state, cycle };
}

describe("game.input", () => {
  test("before the match starts it is a conflict", async () => {
    await expect(input(ada, 1, "up")).rejects.toMatchObject({ code: "conflict" });
  });

  test("only a seated player steers, and only their own cycle", async () => {
    await ada.client.send({ type: "game.start", payload: { gameId: game.id } });
    await waitFor(() => view.state !== null, "the first snapshot");
    // A spectator (any signed-in user may read the game) has no cycle to steer.
    await expect(input(eve, 1, "up")).rejects.toMatchObject({ code: "forbidden" });
    // Someone seated in another game cannot reach this one's seats either.
    const other = await createGame(bob);
    await expect(input(bob, 1, "up")).rejects.toMatchObject({ code: "forbidden" });
    await bob.client.send({ type: "game.leave", payload: { gameId: other.id } });
    // A seat the payload does not name is never chosen by it: extra members are ignored.
    const { cycle } = mine();
    const answer = await ada.client.send({
      type: "game.input",
      payload: { gameId: game.id, seq: 1, dir: leftOf(cycle.dir), ...({ seat: 1 } as object) },
    });
    expect(answer).toEqual({ seq: 1, duplicate: false, late: false });
  });

  test("a reversal or a turn to the current way is a validation error naming dir, and changes nothing", async () => {
    // The turn of seq 1 is queued: what counts is the way the cycle will go after it.
    await nextTick();
    const { cycle } = mine();
    const planned = leftOf(cycle.dir);
    await expect(input(ada, 2, opposite(planned))).rejects.toMatchObject({
      code: "validation",
      issues: [{ path: ["payload", "dir"], message: "A cycle cannot reverse or turn to the way it already goes" }],
    });
    await expect(input(ada, 3, planned)).rejects.toMatchObject({ code: "validation" });
    // The refused seqs were not taken: 2 is still free.
    await nextTick();
    expect(await input(ada, 2, rightOf(planned))).toEqual({ seq: 2, duplicate: false, late: false });
  });

  test("the queue holds two turns; more within one tick is rate_limited with a retry after one tick", async () => {
    // During the countdown nothing is taken from the queue: seqs 1 and 2 fill it.
    await nextTick();
    const { state, cycle } = mine();
    expect(state.phase).toBe("countdown");
    // Seqs 1 and 2 turned left, then right: the cycle will go its spawn way, so a left turn is legal.
    const legal = leftOf(cycle.dir);
    await expect(input(ada, 4, legal)).rejects.toMatchObject({ code: "rate_limited", retryAfter: 0.2 });
    await expect(input(ada, 5, legal)).rejects.toMatchObject({ code: "rate_limited" });
    await expect(input(ada, 6, legal)).rejects.toMatchObject({ code: "rate_limited" });
    // A fourth offer between two ticks is over inputsPerTickMax whatever it is.
    await expect(input(ada, 7, legal)).rejects.toMatchObject({ code: "rate_limited" });
  });

  test("a duplicate seq is dropped (answered duplicate, applied once); acks follow the applied seq", async () => {
    await nextTick();
    expect(await input(ada, 2, "up")).toEqual({ seq: 2, duplicate: true, late: false });
    expect(await input(ada, 1, "down")).toEqual({ seq: 1, duplicate: true, late: false });
    // Once play starts, one turn per tick is taken: seq 1, then seq 2.
    await waitFor(() => (view.acks["0"] ?? 0) >= 2, "both turns applied", 8000);
    expect(view.state!.tick).toBeGreaterThan(countdownTicksFor(5));
    expect(view.problems).toEqual([]);
  });

  test("an input for a tick already run is applied at the next tick and flagged late", async () => {
    await nextTick();
    const { state, cycle } = mine();
    expect(state.phase).toBe("playing");
    const answer = await input(ada, 10, leftOf(cycle.dir), state.tick - 1);
    expect(answer).toEqual({ seq: 10, duplicate: false, late: true });
    await waitFor(() => view.lateSeen.includes(0), "the late flag in a game.tick");
    expect(view.acks["0"]).toBe(10);
    expect(await server.gauge('switchboard_game_inputs_total{outcome="late"}')).toBe(1);
    expect(await server.gauge('switchboard_game_inputs_total{outcome="duplicate"}')).toBe(2);
    expect(await server.gauge('switchboard_game_inputs_total{outcome="forbidden"}')).toBe(2);
  });
});
