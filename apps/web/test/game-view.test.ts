import { stateHash, tickMsFor } from "@repo/game";
import { afterEach, describe, expect, it } from "vitest";
import { GameView } from "../src/features/game/state/game-view";
import { ADA, BOB, Clock, GAME_ID, ScriptedGame, ScriptedNetwork, settle } from "./support/game-harness";

/** Ada against Bob (seat 1), on a small grid. */
function twoPlayers(settings: { tickHz?: number; roundsToWin?: number } = {}) {
  return new ScriptedGame(
    [
      { seat: 0, user: ADA },
      { seat: 1, user: BOB },
    ],
    settings,
  );
}

const views: GameView[] = [];

async function openView(network: ScriptedNetwork, clock: Clock, transport: "stream" | "poll" = "stream") {
  const client = network.client(transport);
  const view = new GameView(client, GAME_ID, network.me, clock.now);
  views.push(view);
  view.start();
  await settle();
  return { client, view };
}

/** Delivers what the game published, one event at a time, `ms` apart (a stream). */
function stream(network: ScriptedNetwork, clock: Clock, ms: number) {
  while (network.deliver(1) > 0) clock.advance(ms);
}

afterEach(() => {
  for (const view of views.splice(0)) view.stop();
});

describe("GameView: the match from a snapshot and per-tick deltas", () => {
  it("reads the game, follows its topic from the read's position and computes the server's exact state", async () => {
    const game = twoPlayers();
    game.start();
    game.ticks(5);
    const network = new ScriptedNetwork(game, ADA);
    const clock = new Clock();
    const { view } = await openView(network, clock);

    expect(network.reads).toEqual([`/v1/games/${GAME_ID}`]);
    expect(network.live.deliver()).toBe(0); // nothing after the read's position yet
    expect(view.latest?.tick).toBe(5);
    expect(view.getSnapshot()).toMatchObject({ phase: "ready", mySeat: 0, match: { phase: "countdown", round: 1 } });

    game.until("playing");
    game.ticks(20);
    stream(network, clock, tickMsFor(15));
    expect(view.latest?.tick).toBe(game.state?.tick);
    expect(stateHash(view.latest!)).toBe(stateHash(game.state!));
    expect(view.getSnapshot().match?.phase).toBe(game.state?.phase);
    expect(view.readout(clock.ms)).toMatchObject({ desyncs: 0, refetches: 0 });
  });

  it("a spectator joining mid-game converges too, and sees the same end", async () => {
    const game = twoPlayers({ roundsToWin: 1 });
    game.start();
    game.until("playing");
    game.ticks(3);
    const network = new ScriptedNetwork(game, { id: "00000000-0000-7000-8000-0000000000cc", name: "Cy" });
    const clock = new Clock();
    const { view } = await openView(network, clock);
    expect(view.getSnapshot().mySeat).toBeNull();

    game.until("gameOver");
    stream(network, clock, 10);
    const snapshot = view.getSnapshot();
    expect(snapshot.over).toMatchObject({ tick: game.state?.tick, winner: game.state?.winner });
    expect(snapshot.sync).toEqual({ tick: game.state?.tick, hash: stateHash(game.state!), serverHash: stateHash(game.state!), inSync: true });
    expect(snapshot.match?.phase).toBe("gameOver");
  });

  it("a tick that does not follow refetches the snapshot and replays what arrived meanwhile", async () => {
    const game = twoPlayers();
    game.start();
    game.until("playing");
    const network = new ScriptedNetwork(game, ADA);
    const clock = new Clock();
    const { view } = await openView(network, clock);

    // The next tick's event is lost on the way; the one after it does not follow.
    game.tick();
    network.lost.add(game.log.findLast((e) => e.type === "game.tick")!.offset);
    // The refetch reads the game as it is when asked, and answers when the test says.
    let release: () => void = () => undefined;
    network.read = () =>
      new Promise((resolve) => {
        const page = game.response();
        release = () => resolve(page);
      });
    game.ticks(2);
    stream(network, clock, 10);
    await settle();
    expect(network.reads).toHaveLength(2);
    // While the read is out, more ticks arrive: held, then replayed on top of the snapshot.
    game.ticks(3);
    stream(network, clock, 10);
    release();
    await settle();
    expect(view.latest?.tick).toBe(game.state?.tick);
    expect(stateHash(view.latest!)).toBe(stateHash(game.state!));
    expect(view.readout(clock.ms)).toMatchObject({ refetches: 1, desyncs: 0 });
  });

  it("a reset refetches; the subscription carries on from the reset's position", async () => {
    const game = twoPlayers();
    game.start();
    game.until("playing");
    const network = new ScriptedNetwork(game, ADA);
    const clock = new Clock();
    const { view } = await openView(network, clock);

    game.ticks(4);
    network.live.reset(game.position); // the events of those 4 ticks are gone for this client
    await settle();
    game.ticks(2);
    stream(network, clock, 10);
    await settle();
    expect(network.reads).toHaveLength(2);
    expect(view.latest?.tick).toBe(game.state?.tick);
    expect(stateHash(view.latest!)).toBe(stateHash(game.state!));
  });

  it("a snapshot that disagrees with the state computed here corrects it, and counts a desync", async () => {
    const game = twoPlayers();
    game.start();
    game.until("playing");
    const network = new ScriptedNetwork(game, ADA);
    const clock = new Clock();
    const { view } = await openView(network, clock);
    const state = game.state!;
    const wrong = { ...state, scores: [1, 0] };
    game.publish("game.snapshot", { state: wrong, acks: game.acks });
    stream(network, clock, 10);
    expect(view.readout(clock.ms).desyncs).toBe(1);
    expect(view.latest?.scores).toEqual([1, 0]);
    // The same state again: no desync.
    game.publish("game.snapshot", { state: wrong, acks: game.acks });
    stream(network, clock, 10);
    expect(view.readout(clock.ms).desyncs).toBe(1);
  });

  it("switching transport mid-game resumes from the cursor: no refetch, nothing repeated, in sync", async () => {
    const game = twoPlayers();
    game.start();
    game.until("playing");
    const network = new ScriptedNetwork(game, ADA);
    const clock = new Clock();
    const { client, view } = await openView(network, clock, "stream");
    game.ticks(5);
    stream(network, clock, 10);
    game.ticks(5);
    network.deliver(2); // part of it on the stream
    client.switchTransport("poll");
    await settle();
    expect(network.live.name).toBe("poll");
    network.deliver(); // the rest in one poll answer
    expect(view.latest?.tick).toBe(game.state?.tick);
    expect(stateHash(view.latest!)).toBe(stateHash(game.state!));
    expect(network.reads).toHaveLength(1);
    expect(client.metrics().duplicates).toBe(0);
  });
});

describe("GameView: drawing between ticks", () => {
  it("renders behind the newest tick by a delay sized to the arrival jitter: small on a stream, large on polls", async () => {
    const tickMs = tickMsFor(15);
    const streamed = twoPlayers();
    streamed.start();
    const streamNet = new ScriptedNetwork(streamed, ADA);
    const streamClock = new Clock();
    const { view: onStream } = await openView(streamNet, streamClock);
    for (let i = 0; i < 60; i++) {
      streamed.tick();
      streamNet.deliver();
      streamClock.advance(tickMs);
    }
    const streamDelay = onStream.readout(streamClock.ms).renderDelayMs!;
    expect(streamDelay).toBeCloseTo(1.5 * tickMs, 0);

    const polled = twoPlayers();
    polled.start();
    const pollNet = new ScriptedNetwork(polled, ADA);
    const pollClock = new Clock();
    const { view: onPolls } = await openView(pollNet, pollClock, "poll");
    for (let second = 0; second < 6; second++) {
      polled.ticks(15);
      pollNet.deliver(); // a second's worth at once
      pollClock.advance(1000);
    }
    const pollDelay = onPolls.readout(pollClock.ms).renderDelayMs!;
    expect(pollDelay).toBeGreaterThan(2 * streamDelay);
    // Fifteen states a second arrive either way; on polls, in one delivery a second.
    const rates = onPolls.readout(pollClock.ms).rates;
    expect(rates.statesPerSecond).toBeGreaterThanOrEqual(10);
    expect(rates.deliveriesPerSecond).toBeLessThanOrEqual(1);
  });

  it("draws between the two states around the render tick, never ahead of the newest, never backwards", async () => {
    const game = twoPlayers();
    game.start();
    game.until("playing");
    const network = new ScriptedNetwork(game, ADA);
    const clock = new Clock();
    const { view } = await openView(network, clock);
    const tickMs = tickMsFor(15);
    let last = -Infinity;
    for (let i = 0; i < 40; i++) {
      game.tick();
      // Arrivals jitter: some early, some late.
      clock.advance(tickMs + (i % 3 === 0 ? 25 : -12));
      network.deliver();
      for (let f = 0; f < 4; f++) {
        const frame = view.frame(clock.ms + f * (tickMs / 4))!;
        expect(frame.tick).toBeGreaterThanOrEqual(last);
        expect(frame.tick).toBeLessThanOrEqual(view.latest!.tick);
        expect(frame.to.tick - frame.from.tick).toBeLessThanOrEqual(1);
        expect(frame.alpha).toBeGreaterThanOrEqual(0);
        expect(frame.alpha).toBeLessThan(1);
        last = frame.tick;
      }
    }
    expect(last).toBeLessThan(view.latest!.tick);
  });
});

describe("GameView: my inputs", () => {
  it("sends legal turns with growing seqs for the next tick, and measures input-to-render latency", async () => {
    const game = twoPlayers();
    game.start();
    game.until("playing");
    const network = new ScriptedNetwork(game, ADA);
    const clock = new Clock();
    const { view } = await openView(network, clock);
    const me = view.latest!.cycles[0]!;
    const turn = me.dir === "up" || me.dir === "down" ? "left" : "up";

    view.steer(me.dir); // the way it goes already: nothing to send
    view.steer(turn);
    view.steer(turn); // the same turn again: it would repeat the direction
    await settle();
    const inputs = network.commands.filter((c) => c.type === "game.input");
    expect(inputs.map((c) => c.payload)).toEqual([{ gameId: GAME_ID, seq: 1, dir: turn, forTick: view.latest!.tick + 1 }]);

    const sentAt = clock.ms;
    // The board marks the turn at once, before any state carries it.
    expect(view.frame(clock.ms)?.pendingTurn).toEqual({ seat: 0, dir: turn });
    clock.advance(20);
    game.tick();
    network.deliver();
    expect(view.latest!.cycles[0]!.dir).toBe(turn);
    // Not drawn yet: the board is behind the newest tick (and still marks the turn).
    expect(view.frame(clock.ms)?.pendingTurn).toEqual({ seat: 0, dir: turn });
    expect(view.readout(clock.ms).latency.samples).toBe(0);
    clock.advance(200);
    expect(view.frame(clock.ms)?.pendingTurn).toBeUndefined();
    const { latency, inputs: mine } = view.readout(clock.ms);
    expect(latency.samples).toBe(1);
    expect(latency.last).toBeGreaterThan(20);
    expect(latency.last).toBeLessThanOrEqual(clock.ms - sentAt);
    expect(mine).toEqual({ sent: 1, late: 0, refused: 0 });
  });

  it("an input meant for a tick already run is applied at the next one and counted late", async () => {
    const game = twoPlayers();
    game.start();
    game.until("playing");
    const network = new ScriptedNetwork(game, ADA);
    const clock = new Clock();
    const { view } = await openView(network, clock, "poll");
    // The server is ahead of what this tab holds (the poll has not come yet).
    game.ticks(3);
    const me = view.latest!.cycles[0]!;
    view.steer(me.dir === "up" || me.dir === "down" ? "right" : "down");
    await settle();
    game.tick();
    network.deliver();
    expect(view.readout(clock.ms).inputs).toMatchObject({ sent: 1, late: 1 });
    expect(view.readout(clock.ms).lateAll).toBe(1);
  });

  it("does not hold turns back for acks that have not come: the service's queue rule refuses what does not fit", async () => {
    const game = twoPlayers();
    game.start();
    game.until("playing");
    const network = new ScriptedNetwork(game, ADA);
    const clock = new Clock();
    const { view } = await openView(network, clock, "poll");
    const me = view.latest!.cycles[0]!;
    // Three legal turns in a row before any tick: the queue holds two.
    const turns = me.dir === "up" || me.dir === "down" ? (["left", "up", "right"] as const) : (["up", "left", "down"] as const);
    for (const dir of turns) view.steer(dir);
    await settle();
    expect(network.commands.map((c) => c.payload)).toMatchObject(turns.map((dir, i) => ({ dir, seq: i + 1 })));
    expect(view.readout(clock.ms).inputs).toEqual({ sent: 3, late: 0, refused: 1 });
    game.ticks(2);
    network.deliver();
    expect(view.latest!.cycles[0]!.dir).toBe(turns[1]);
  });

  it("after a reload, continues above the seq the service applied", async () => {
    const game = twoPlayers();
    game.start();
    game.until("playing");
    game.acks["0"] = 41; // applied before the reload
    const network = new ScriptedNetwork(game, ADA);
    const clock = new Clock();
    const { view } = await openView(network, clock);
    const me = view.latest!.cycles[0]!;
    view.steer(me.dir === "up" || me.dir === "down" ? "left" : "up");
    await settle();
    expect(network.commands.at(-1)?.payload).toMatchObject({ seq: 42 });
  });

  it("a spectator's keys send nothing", async () => {
    const game = twoPlayers();
    game.start();
    game.until("playing");
    const network = new ScriptedNetwork(game, { id: "00000000-0000-7000-8000-0000000000cc", name: "Cy" });
    const clock = new Clock();
    const { view } = await openView(network, clock);
    for (const dir of ["up", "down", "left", "right"] as const) view.steer(dir);
    await settle();
    expect(network.commands).toEqual([]);
  });
});
