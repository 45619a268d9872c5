import { logEntriesOf, stateHash } from "@repo/game";
import { GAME_EVENTS, GameLobbyResponse, GameTickPayload, gamePaths, gameTopic, type EventEnvelope, type GameSummary } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { gameFeature } from "../../src/features/game/game-feature";
import { gameKeys } from "../../src/features/game/cluster/game-keys";
import { InputLog } from "../../src/features/game/input-log";
import { StaleFenceError } from "../../src/hub/hub";
import { GameView, Steering, sleep, transports, waitFor, zigzag, type Player } from "../game/support/game-harness";
import { signIn, testClient, type TestServer } from "../sdk/support/server";
import { command, redisInstances, type RedisInstances } from "./support/redis-instances";

// The game on several instances sharing one Redis (no sticky sessions): a game created on one
// instance is joined, played and watched through the others (commands forwarded to its owner,
// reads from its record); exactly one tick loop runs per game; when the owner dies another
// instance takes the game over from its last record within 2 s, ticks going on from the next
// number under a higher fencing token; a publish under a stale token is refused.
let cluster: RedisInstances;
let a: TestServer;
let b: TestServer;

/** Short grace periods; the cluster timings are the defaults (900 ms leases). */
const startInstance = (name: string) =>
  cluster.start(name, { presenceTtlMs: 300 }, { features: [gameFeature({ disconnectGraceMs: 5000, finishedLingerMs: 3000 })] });

beforeAll(async () => {
  cluster = await redisInstances();
  a = await startInstance("game-a");
  b = await startInstance("game-b");
});
afterAll(async () => {
  await cluster?.stop();
});

async function playerOn(server: TestServer, name: string, transport: (typeof transports)[number]): Promise<Player> {
  const session = await signIn(server.baseUrl, name);
  return { session, client: testClient(server.baseUrl, session.token, transport.name, transport.options), transport: transport.name };
}

/** Every game.tick in the topic's log, as (offset, tick, fence, the inputs it applied as InputLog numbers). */
async function ticksOf(server: TestServer, gameId: string): Promise<Array<{ offset: number; tick: number; fence: number | undefined; inputs: number[] }>> {
  const topic = gameTopic(gameId);
  const head = await server.server.hub.head(topic);
  const read = await server.server.hub.read(topic, { epoch: head.epoch, offset: 0 }, 100_000);
  if (read.kind !== "events") throw new Error("the game's log was reset");
  return read.events.flatMap((event) => {
    if (event.type !== GAME_EVENTS.tick) return [];
    const payload = GameTickPayload.parse(event.payload);
    return [{ offset: event.offset, tick: payload.delta.tick, fence: payload.fence, inputs: InputLog.pack(logEntriesOf(payload.delta)) }];
  });
}

/** Tick numbers go up by one, each once; fencing tokens are on every tick and never go down. */
function expectContinuous(ticks: Array<{ tick: number; fence: number | undefined }>) {
  for (const [i, tick] of ticks.entries()) {
    expect(tick.fence).toBeTypeOf("number");
    if (i === 0) continue;
    const before = ticks[i - 1]!;
    expect(tick.tick, `tick after ${before.tick}`).toBe(before.tick + 1);
    expect(tick.fence!).toBeGreaterThanOrEqual(before.fence!);
  }
}

async function loops(...servers: TestServer[]): Promise<number[]> {
  return Promise.all(servers.map((server) => server.gauge("switchboard_game_loops")));
}

test("a game created on A is joined, played and watched through B, on every transport; one loop runs, on A", async () => {
  const ada = await playerOn(a, "Ada", transports[3]);
  const bob = await playerOn(b, "Bob", transports[2]);
  const watchers = await Promise.all(transports.map((row) => playerOn(b, `Eve ${row.name}`, row)));
  try {
    const { game } = (await command(a, ada.session.token, "game.create", { maxSeats: 2, tickHz: 10, roundsToWin: 3 })) as { game: GameSummary };
    const adaView = await GameView.follow(ada.client, game.id);
    // Bob's commands all land on B: forwarded to A, which holds the game.
    const joined = await bob.client.send({ type: "game.join", payload: { gameId: game.id } });
    expect(joined.game.seats.map((seat) => seat.user?.name)).toEqual(["Ada", "Bob"]);
    const bobView = await GameView.follow(bob.client, game.id);
    await bob.client.send({ type: "game.ready", payload: { gameId: game.id, ready: true } });
    // B lists the game (from its record) as A does.
    const lobbyOnB = GameLobbyResponse.parse(await (await fetch(`${b.baseUrl}${gamePaths.lobby}`, { headers: { authorization: `Bearer ${bob.session.token}` } })).json());
    expect(lobbyOnB.games.find((listed) => listed.id === game.id)?.seats.length).toBe(2);

    const watcherViews = await Promise.all(watchers.map((watcher) => GameView.follow(watcher.client, game.id)));
    const steering = new Steering(bob, game.id, 1);
    bobView.onTick = zigzag(steering, 4);
    await command(a, ada.session.token, "game.start", { gameId: game.id });
    const views = [adaView, bobView, ...watcherViews];
    // Into the round (past the 3 s countdown), with Bob's turns, sent to B, applied by A.
    await waitFor(() => views.every((view) => (view.state?.tick ?? 0) >= 40) && (adaView.acks["1"] ?? 0) >= 2, "40 ticks everywhere and Bob's turns applied", 20_000);
    expect(steering.errors).toEqual([]);
    expect(await loops(a, b)).toEqual([1, 0]);

    // Bob leaves (through B): Ada is left alone and the game ends, with the same final state in every view.
    await bob.client.send({ type: "game.leave", payload: { gameId: game.id } });
    const over = await adaView.untilOver();
    for (const view of [bobView, ...watcherViews]) {
      await view.untilOver();
      expect(stateHash(view.state!)).toBe(over.stateHash);
    }
    for (const view of views) {
      expect(view.problems).toEqual([]);
      expect(view.refetches).toBe(0);
    }
    await command(a, ada.session.token, "game.leave", { gameId: game.id });
    const ticks = await ticksOf(b, game.id);
    expectContinuous(ticks);
    expect(new Set(ticks.map((tick) => tick.fence))).toEqual(new Set([1]));
    // Closed: no loop anywhere, and its keys are gone from Redis.
    await waitFor(async () => (await loops(a, b)).every((n) => n === 0), "no loop left");
    const keys = gameKeys(cluster.keyPrefix, game.id);
    await waitFor(async () => (await cluster.connections.get("game-a")!.exists(keys.lease, keys.fence, keys.room, keys.inputs)) === 0, "the game's keys deleted");
  } finally {
    for (const p of [ada, bob, ...watchers]) p.client.close();
  }
});

test("games per user hold across instances: seated in three (on A and B), a fourth is refused on either", async () => {
  const carol = await signIn(a.baseUrl, "Carol");
  const ids: string[] = [];
  for (const server of [a, b, a]) ids.push(((await command(server, carol.token, "game.create", {})) as { game: GameSummary }).game.id);
  await expect(command(b, carol.token, "game.create", {})).rejects.toThrow(/conflict/);
  const dave = await signIn(b.baseUrl, "Dave");
  const { game } = (await command(b, dave.token, "game.create", {})) as { game: GameSummary };
  // A join forwarded to B is checked against Carol's games everywhere too.
  await expect(command(a, carol.token, "game.join", { gameId: game.id })).rejects.toThrow(/conflict/);
  for (const id of [...ids, game.id]) await command(b, id === game.id ? dave.token : carol.token, "game.leave", { gameId: id });
});

test("an owner that stops gracefully hands its game off: another instance goes on at once", async () => {
  const d = await startInstance("game-d");
  const ada = await signIn(d.baseUrl, "Ada");
  const { game } = (await command(d, ada.token, "game.create", { maxSeats: 2, tickHz: 10 })) as { game: GameSummary };
  await command(a, ada.token, "game.addBot", { gameId: game.id });
  await command(b, ada.token, "game.start", { gameId: game.id });
  const seen: Array<{ at: number; fence: number | undefined }> = [];
  const unlisten = a.server.hub.listen(gameTopic(game.id), (event: EventEnvelope) => {
    if (event.type === GAME_EVENTS.tick) seen.push({ at: performance.now(), fence: GameTickPayload.parse(event.payload).fence });
  });
  try {
    await waitFor(() => seen.length >= 5, "five ticks from D");
    const stoppedAt = performance.now();
    await d.stop();
    await waitFor(() => seen.some((tick) => tick.fence !== 1), "a tick from the next owner", 5_000);
    const first = seen.find((tick) => tick.fence !== 1)!;
    console.log(`hand-off: ${Math.round(first.at - stoppedAt)} ms from the graceful stop to the next owner's first tick`);
    expect(first.at - stoppedAt).toBeLessThan(1000);
    expectContinuous(await ticksOf(a, game.id));
    expect((await loops(a, b)).reduce((x, y) => x + y, 0)).toBe(1);
    await command(b, ada.token, "game.leave", { gameId: game.id });
  } finally {
    unlisten();
  }
});

describe("the owner of a playing game dies", () => {
  test("another instance takes over within 2 s from the last record: ticks go on, under a higher fence, and inputs are applied", async () => {
    const c = await startInstance("game-c");
    const ada = await signIn(c.baseUrl, "Ada");
    const bob = await signIn(c.baseUrl, "Bob");
    // The players read and steer through A and B; C only holds the game.
    const adaClient: Player = { session: ada, client: testClient(b.baseUrl, ada.token, "sse"), transport: "sse" };
    const bobClient: Player = { session: bob, client: testClient(a.baseUrl, bob.token, "websocket"), transport: "websocket" };
    const seen: Array<{ at: number; tick: number; fence: number | undefined }> = [];
    let unlisten = () => {};
    try {
      const { game } = (await command(c, ada.token, "game.create", { maxSeats: 3, tickHz: 10, roundsToWin: 9 })) as { game: GameSummary };
      await command(a, bob.token, "game.join", { gameId: game.id });
      await command(b, ada.token, "game.addBot", { gameId: game.id });
      await command(a, bob.token, "game.ready", { gameId: game.id, ready: true });
      unlisten = b.server.hub.listen(gameTopic(game.id), (event: EventEnvelope) => {
        if (event.type !== GAME_EVENTS.tick) return;
        const payload = GameTickPayload.parse(event.payload);
        seen.push({ at: performance.now(), tick: payload.delta.tick, fence: payload.fence });
      });
      const adaView = await GameView.follow(adaClient.client, game.id);
      const bobView = await GameView.follow(bobClient.client, game.id);
      const steering = new Steering(bobClient, game.id, 1);
      bobView.onTick = zigzag(steering, 3);
      await command(b, ada.token, "game.start", { gameId: game.id });
      await waitFor(() => (adaView.state?.tick ?? 0) >= 40 && (bobView.acks["1"] ?? 0) >= 1, "the round under way, Bob steering", 20_000);
      expect(await loops(a, b, c)).toEqual([0, 0, 1]);

      // C crashes: its Redis connection goes at once (nothing released), then the process part stops.
      const diedAt = performance.now();
      cluster.connections.get("game-c")!.disconnect();
      const lastBefore = seen.at(-1)!;
      await c.stop();
      await waitFor(() => seen.some((tick) => tick.fence !== lastBefore.fence), "a tick from the new owner", 5_000);
      const first = seen.find((tick) => tick.fence !== lastBefore.fence)!;
      const takeoverMs = first.at - diedAt;
      console.log(`takeover: ${Math.round(takeoverMs)} ms from the owner's death to the first tick of the new owner (tick ${first.tick})`);
      expect(takeoverMs).toBeLessThan(2000);
      expect(first.fence!).toBeGreaterThan(lastBefore.fence!);

      // Inputs after the takeover are applied (Bob still steers through A).
      const ackAtTakeover = bobView.acks["1"] ?? 0;
      await waitFor(() => (bobView.acks["1"] ?? 0) >= ackAtTakeover + 2, "Bob's turns applied by the new owner", 10_000);
      await waitFor(() => (adaView.state?.tick ?? 0) >= first.tick + 10, "ten more ticks in Ada's view");
      const owners = await loops(a, b);
      expect(owners.reduce((x, y) => x + y, 0)).toBe(1);
      const ticks = await ticksOf(b, game.id);
      expectContinuous(ticks);
      expect(ticks[0]!.tick).toBe(1);
      for (const view of [adaView, bobView]) expect(view.problems).toEqual([]);

      // A publish under the dead owner's token is refused, and writes nothing.
      const owner = owners[0] === 1 ? a : b;
      const keys = gameKeys(cluster.keyPrefix, game.id);
      const stale = owner.server.hub.publishFenced!(gameTopic(game.id), GAME_EVENTS.tick, {}, {
        key: keys.fence,
        token: String(lastBefore.fence),
        record: { key: keys.room, value: "{}", ttlMs: 1000 },
      });
      await expect(stale).rejects.toBeInstanceOf(StaleFenceError);
      expectContinuous(await ticksOf(b, game.id));

      // A paused owner: its lease is taken under it (the fence moves on, as another instance's takeover does).
      // Its next tick is refused, it stops, and the game goes on elsewhere with a higher token.
      const admin = cluster.connections.get("game-a")!;
      const [[, bumped], [, headAtBump]] = (await admin.multi().incr(keys.fence).hget(`${cluster.keyPrefix}{${gameTopic(game.id)}}:meta`, "s").exec())! as [[null, number], [null, string]];
      const resumedAt = performance.now();
      await waitFor(() => seen.some((tick) => (tick.fence ?? 0) > bumped), "the game going on under a token above the bumped one", 5_000);
      const resumed = seen.find((tick) => (tick.fence ?? 0) > bumped)!;
      console.log(`after a stale owner: ${Math.round(resumed.at - resumedAt)} ms to the first tick of the next owner (tick ${resumed.tick})`);
      const after = (await ticksOf(b, game.id)).filter((tick) => tick.offset > Number(headAtBump));
      expect(after.every((tick) => (tick.fence ?? 0) > bumped)).toBe(true);
      expectContinuous(await ticksOf(b, game.id));
      await sleep(300);
      expect((await loops(a, b)).reduce((x, y) => x + y, 0)).toBe(1);
      for (const view of [adaView, bobView]) expect(view.problems).toEqual([]);

      // The replay's input log went on across both takeovers: exactly the inputs of the published ticks, in order.
      // (The record's position and the list are written in one step: read them in one step too.)
      const [[, at], [, logged]] = (await admin.multi().hget(keys.room, "o").lrange(keys.inputs, 0, -1).exec())! as [[null, string], [null, string[]]];
      const published = (await ticksOf(b, game.id)).filter((tick) => tick.offset <= Number(at)).flatMap((tick) => tick.inputs);
      expect(published.length).toBeGreaterThan(0);
      expect(logged.map(Number)).toEqual(published);

      await command(a, bob.token, "game.leave", { gameId: game.id });
      await command(b, ada.token, "game.leave", { gameId: game.id });
      await waitFor(async () => (await loops(a, b)).every((n) => n === 0), "no loop left");
    } finally {
      unlisten();
      adaClient.client.close();
      bobClient.client.close();
    }
  });
});
