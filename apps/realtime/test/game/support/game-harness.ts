// The game integration harness: the real service with the game feature on a
// free port, players on real SDK clients (any transport), and a view of a game
// that follows its topic exactly as a browser would: GET /v1/games/:id for the
// state and position, then every game.tick applied with @repo/game.
import { applyDelta, countdownTicksFor, isFree, leftOf, rightOf, stateHash, stepCell, TickGapError, type Cell, type Direction, type MatchState, type Seat } from "@repo/game";
import type { Database } from "@repo/db";
import {
  GameEvent,
  GameResponse,
  gamePaths,
  gameTopic,
  type CommandResultOf,
  type GameOverPayload,
  type GameSummary,
  type SeatAcks,
  type SessionResponse,
} from "@repo/protocol";
import type { ClientOptions, RealtimeClient } from "@repo/client";
import { defaultConfig, type ServerConfig } from "../../../src/config";
import { gameFeature, type GameOptions } from "../../../src/features/game/game-feature";
import type { Feature } from "../../../src/features/feature";
import { signIn, startTestServer, testClient, waitFor, type TestServer } from "../../sdk/support/server";

export { sleep, transports, waitFor, type TestServer, type TransportRow } from "../../sdk/support/server";

/**
 * Short grace periods and presence, so abandonment is seen within seconds (the
 * grace also covers a new player's first subscribe, slow on a loaded machine).
 */
export const FAST_GAME: GameOptions = { disconnectGraceMs: 2500, finishedLingerMs: 3000 };

export async function startGameServer(
  options: { game?: GameOptions; config?: Partial<ServerConfig>; db?: Database; extraFeatures?: Feature[] } = {},
): Promise<TestServer> {
  return startTestServer(
    { presenceTtlMs: 300, ...options.config },
    { db: options.db, features: [gameFeature({ ...FAST_GAME, ...options.game }), ...(options.extraFeatures ?? [])] },
  );
}

/** Hub retention for tests that watch a closed game's topic go: game topics forgotten within a second. */
export const SHORT_GAME_RETENTION: ServerConfig["retention"] = {
  ...defaultConfig.retention,
  kinds: { game: { count: 2000, ageMs: 400, topicIdleMs: 300 } },
};

export interface Player {
  session: SessionResponse;
  client: RealtimeClient;
  transport: string;
}

export async function player(server: TestServer, name: string, transport: string, options: Partial<ClientOptions> = {}): Promise<Player> {
  const session = await signIn(server.baseUrl, name);
  return { session, client: testClient(server.baseUrl, session.token, transport, options), transport };
}

/** Creates a game (as `host`) and returns its summary. */
export async function createGame(host: Player, payload: { maxSeats?: number; tickHz?: number; roundsToWin?: number } = {}): Promise<GameSummary> {
  return (await host.client.send({ type: "game.create", payload })).game;
}

/**
 * One reader's copy of a game: loaded from GET /v1/games/:id, then kept up to
 * date from the topic (ticks applied, snapshots checked against the state at
 * their tick). A gap or a reset refetches the state, and is counted.
 */
export class GameView {
  state: MatchState | null = null;
  acks: SeatAcks = {};
  summary: GameSummary | null = null;
  over: GameOverPayload | null = null;
  ticksApplied = 0;
  /** Snapshots that arrived for a tick this view already had: their hash matched. */
  snapshotsMatched = 0;
  refetches = 0;
  problems: string[] = [];
  lateSeen: Seat[] = [];
  /** Called after each tick this view applies. */
  onTick: ((view: GameView) => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  private loading: Promise<void> | null = null;

  constructor(
    readonly client: RealtimeClient,
    readonly gameId: string,
  ) {}

  /** Loads the game and follows its topic from the position the state stands at. */
  static async follow(client: RealtimeClient, gameId: string): Promise<GameView> {
    const view = new GameView(client, gameId);
    const loaded = await view.fetch();
    view.unsubscribe = client.subscribe(gameTopic(gameId), (event) => view.onEvent(event.type, event.payload), {
      cursor: loaded.position,
      onReset: () => void view.refetch("reset"),
      onError: (error) => view.problems.push(`subscription refused: ${error.code}`),
    });
    return view;
  }

  private async fetch(): Promise<GameResponse> {
    const loaded = await this.client.get(gamePaths.game(this.gameId), GameResponse);
    this.summary = loaded.game;
    if (loaded.snapshot && (!this.state || loaded.snapshot.state.tick > this.state.tick)) {
      this.state = loaded.snapshot.state;
      this.acks = loaded.snapshot.acks;
    }
    return loaded;
  }

  private refetch(why: string) {
    this.refetches++;
    this.state = null;
    this.loading ??= this.fetch()
      .then(() => undefined, (error: unknown) => void this.problems.push(`refetch after ${why} failed: ${String(error)}`))
      .finally(() => (this.loading = null));
    return this.loading;
  }

  private onEvent(type: string, payload: unknown) {
    const parsed = GameEvent.safeParse({ type, payload });
    if (!parsed.success) {
      this.problems.push(`unparsable ${type}`);
      return;
    }
    const event = parsed.data;
    switch (event.type) {
      case "game.seats":
        this.summary = event.payload.game;
        return;
      case "game.snapshot": {
        const { state, acks } = event.payload;
        if (!this.state || state.tick > this.state.tick) {
          this.state = state;
          this.acks = acks;
        } else if (state.tick === this.state.tick) {
          if (stateHash(state) === stateHash(this.state)) this.snapshotsMatched++;
          else this.problems.push(`snapshot of tick ${state.tick} differs from the state this view computed`);
        }
        return;
      }
      case "game.tick": {
        if (!this.state || event.payload.delta.tick <= this.state.tick) return;
        try {
          this.state = applyDelta(this.state, event.payload.delta);
        } catch (error) {
          if (error instanceof TickGapError) void this.refetch("a tick gap");
          else this.problems.push(String(error));
          return;
        }
        this.acks = event.payload.acks;
        this.lateSeen.push(...event.payload.late);
        this.ticksApplied++;
        this.onTick?.(this);
        return;
      }
      case "game.over":
        this.over = event.payload;
        return;
      case "lobby.updated":
      case "lobby.removed":
        return;
      default: {
        const unhandled: never = event;
        return unhandled;
      }
    }
  }

  /** Resolves once game.over has arrived and the state stands at its tick. */
  async untilOver(timeoutMs = 20_000): Promise<GameOverPayload> {
    await waitFor(() => this.over !== null && this.state?.tick === this.over.tick, `game.over on ${this.gameId}`, timeoutMs);
    return this.over!;
  }

  close() {
    this.unsubscribe?.();
  }
}

/** Sends turns for `seat`: one at a time, each once the previous one is acknowledged. */
export class Steering {
  seq = 0;
  answers: Array<CommandResultOf<"game.input">> = [];
  errors: unknown[] = [];
  private inFlight = false;

  constructor(
    readonly player: Player,
    readonly gameId: string,
    readonly seat: Seat,
  ) {}

  /** The cycle's direction now, if it is alive and playing and nothing is pending. */
  private ready(view: GameView) {
    const state = view.state;
    if (!state || state.phase !== "playing" || this.inFlight) return null;
    if ((view.acks[String(this.seat)] ?? 0) < this.seq) return null;
    const cycle = state.cycles.find((c) => c.seat === this.seat);
    return cycle?.alive ? { state, dir: cycle.dir } : null;
  }

  /** The free cells straight ahead of the cycle, up to `max`, and to either side of it. */
  room(view: GameView, max: number): { ahead: number; left: number; right: number } | null {
    const now = this.ready(view);
    const cycle = now?.state.cycles.find((c) => c.seat === this.seat);
    if (!now || !cycle) return null;
    const run = (dir: Direction) => freeRun(now.state, cycle.head, dir, max);
    return { ahead: run(cycle.dir), left: run(leftOf(cycle.dir)), right: run(rightOf(cycle.dir)) };
  }

  turn(view: GameView, side: "left" | "right") {
    const now = this.ready(view);
    if (!now) return;
    this.inFlight = true;
    const dir = side === "left" ? leftOf(now.dir) : rightOf(now.dir);
    this.player.client
      .send({ type: "game.input", payload: { gameId: this.gameId, seq: ++this.seq, dir, forTick: now.state.tick + 1 } })
      .then((answer) => void this.answers.push(answer))
      .catch((error: unknown) => void this.errors.push(error))
      .finally(() => (this.inFlight = false));
  }
}

/** A steering script that runs its cycle into its own trail: left turns, one per acknowledged input. */
export function spiral(steering: Steering, fromPlayingTick = 0) {
  return (view: GameView) => {
    if (playingTicks(view) >= fromPlayingTick) steering.turn(view, "left");
  };
}

function freeRun(state: MatchState, from: Cell, dir: Direction, max: number): number {
  let run = 0;
  for (let cell = stepCell(from, dir); run < max && isFree(state, cell); cell = stepCell(cell, dir)) run++;
  return run;
}

/** A steering script that turns away from whatever is within `lookahead` cells ahead (towards the roomier side). */
export function cautious(steering: Steering, lookahead = 4) {
  return (view: GameView) => {
    const room = steering.room(view, 64);
    if (room && room.ahead < lookahead) steering.turn(view, room.left >= room.right ? "left" : "right");
  };
}

/** Cautious until `fromPlayingTick` ticks into the round, then a spiral into its own trail. */
export function cautiousThenSpiral(steering: Steering, fromPlayingTick: number) {
  const careful = cautious(steering);
  const reckless = spiral(steering, fromPlayingTick);
  return (view: GameView) => (playingTicks(view) < fromPlayingTick ? careful(view) : reckless(view));
}

/** A steering script that zig-zags: a turn every `every` playing ticks, alternating sides. */
export function zigzag(steering: Steering, every: number) {
  let side: "left" | "right" = "right";
  return (view: GameView) => {
    const n = playingTicks(view);
    if (n > 0 && n % every === 0) {
      steering.turn(view, side);
      side = side === "left" ? "right" : "left";
    }
  };
}

/** Ticks into round 1's play (0 during the countdown; later rounds count on from there). */
function playingTicks(view: GameView): number {
  const state = view.state;
  if (!state || state.phase !== "playing") return 0;
  return state.tick - countdownTicksFor(state.config.tickHz);
}
