import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient, createServiceApi, type RealtimeClient } from "@repo/client";
import type { Seat } from "@repo/game";
import { GameResponse, gamePaths, gameTopic, type GameSummary, type SessionResponse, type TransportName } from "@repo/protocol";
import { GameFollower, type FollowerLink } from "./follower";
import { PlayerTally } from "./tally";

/** One game to seat: how many humans (SDK clients) and bots, and how it is played. */
export interface TableSpec {
  index: number;
  humans: number;
  bots: number;
  tickHz: number;
  roundsToWin: number;
  turnEveryTicks: number;
}

export interface TableContext {
  url: string;
  transport: TransportName;
  pollIntervalMs: number;
}

/** A table's players, the follower of the game each plays now, and the figures they keep. */
export interface Table {
  readonly players: ReadonlyArray<{ tally: PlayerTally; follower: GameFollower | null }>;
  verify(timeoutMs: number): Promise<Array<Awaited<ReturnType<GameFollower["verify"]>>>>;
  close(): void;
}

/** How long a table waits for every player to see its match start, and for a finished game's last events. */
const START_TIMEOUT_MS = 20_000;

interface SdkPlayer {
  session: SessionResponse;
  client: RealtimeClient;
  tally: PlayerTally;
  seat: Seat | null;
  follower: GameFollower | null;
  unsubscribe: (() => void) | null;
}

function seatOf(game: GameSummary, userId: string): Seat {
  const entry = game.seats.find((seat) => seat.user?.id === userId);
  if (!entry) throw new Error(`game ${game.id} has no seat for user ${userId}`);
  return entry.seat;
}

/**
 * A game on the real service, played by SDK clients (@repo/client, one per
 * user, on the row's transport) as the web app plays it: the host creates it
 * and adds the bots, the others join and ready up, the host starts; every
 * player reads GET /v1/games/:id and follows `game:<id>` from the position it
 * gives. A finished game is rematched (once every player has seen game.over),
 * so a long window keeps its games playing.
 */
export class SwitchboardTable implements Table {
  private readonly sdkPlayers: SdkPlayer[];
  private gameId = "";
  private stopping = false;
  private rematching: Promise<void> | null = null;

  private constructor(
    private readonly context: TableContext,
    private readonly spec: TableSpec,
    players: SdkPlayer[],
  ) {
    this.sdkPlayers = players;
  }

  get players() {
    return this.sdkPlayers;
  }

  static async open(context: TableContext, spec: TableSpec): Promise<SwitchboardTable> {
    const api = createServiceApi({ baseUrl: context.url });
    const sessions = await Promise.all(Array.from({ length: spec.humans }, (_, seat) => api.signIn(`Bench ${spec.index}-${seat + 1}`)));
    const players = sessions.map((session) => ({
      session,
      client: createClient({ url: context.url, transport: context.transport, auth: { token: session.token }, pollIntervalMs: context.pollIntervalMs }),
      tally: new PlayerTally(),
      seat: null,
      follower: null,
      unsubscribe: null,
    }));
    const table = new SwitchboardTable(context, spec, players);
    try {
      await table.play(null);
    } catch (error) {
      table.close();
      throw error;
    }
    return table;
  }

  /** Seats everyone in a new game (or the rematch of `previous`), starts it and waits until every player has its first state. */
  private async play(previous: string | null) {
    const [host, ...others] = this.sdkPlayers;
    if (!host) throw new Error("a table needs a host");
    const { humans, bots, tickHz, roundsToWin } = this.spec;
    const created = previous
      ? (await host.client.send({ type: "game.rematch", payload: { gameId: previous } })).game
      : (await host.client.send({ type: "game.create", payload: { maxSeats: humans + bots, tickHz, roundsToWin } })).game;
    this.gameId = created.id;
    await this.follow(host, seatOf(created, host.session.user.id));
    for (const player of others) {
      const joined = previous
        ? (await player.client.send({ type: "game.rematch", payload: { gameId: previous } })).game
        : (await player.client.send({ type: "game.join", payload: { gameId: created.id } })).game;
      await this.follow(player, seatOf(joined, player.session.user.id));
      await player.client.send({ type: "game.ready", payload: { gameId: created.id, ready: true } });
    }
    // A rematch keeps the bots.
    if (!previous) for (let bot = 0; bot < bots; bot++) await host.client.send({ type: "game.addBot", payload: { gameId: created.id } });
    await host.client.send({ type: "game.start", payload: { gameId: created.id } });
    const deadline = performance.now() + START_TIMEOUT_MS + this.context.pollIntervalMs;
    while (this.sdkPlayers.some((player) => !player.follower?.state) && performance.now() < deadline) await sleep(20);
    if (this.sdkPlayers.some((player) => !player.follower?.state)) throw new Error(`game ${created.id}: not every player saw the match start within ${START_TIMEOUT_MS} ms`);
  }

  /** Loads the game and follows its topic from the position the state stands at. */
  private async follow(player: SdkPlayer, seat: Seat) {
    const { client, tally } = player;
    const gameId = this.gameId;
    player.unsubscribe?.();
    player.follower?.close();
    player.seat = seat;
    const link: FollowerLink = {
      sendInput: (input) => client.send({ type: "game.input", payload: { gameId, ...input } }),
      fetchState: async () => (await client.get(gamePaths.game(gameId), GameResponse)).snapshot?.state ?? null,
    };
    const follower = new GameFollower(gameId, { seat, play: true, turnEveryTicks: this.spec.turnEveryTicks }, link, tally, () => this.onGameOver());
    player.follower = follower;
    const loaded = await client.get(gamePaths.game(gameId), GameResponse);
    if (loaded.snapshot) follower.onEvent("game.snapshot", loaded.snapshot);
    player.unsubscribe = client.subscribe(gameTopic(gameId), (event) => follower.onEvent(event.type, event.payload, event.ts), {
      cursor: loaded.position,
      onReset: () => follower.onReset(),
      onError: (error) => tally.problem(`game ${gameId}: subscription refused: ${error.code}`),
    });
  }

  /** Once every player has seen the game end (or a while has passed), the table plays a rematch. */
  private onGameOver() {
    if (this.stopping || this.rematching) return;
    const previous = this.gameId;
    this.rematching = (async () => {
      const deadline = performance.now() + 5000 + this.context.pollIntervalMs;
      while (this.sdkPlayers.some((player) => !player.follower?.over) && performance.now() < deadline) await sleep(50);
      if (!this.stopping) await this.play(previous);
    })()
      .catch((error: unknown) => this.sdkPlayers[0]?.tally.problem(`rematch of ${previous} failed: ${String(error)}`))
      .finally(() => (this.rematching = null));
  }

  async verify(timeoutMs: number) {
    return Promise.all(this.sdkPlayers.map(async (player) => (player.follower ? player.follower.verify(timeoutMs) : "no state")));
  }

  close(): void {
    this.stopping = true;
    for (const player of this.sdkPlayers) {
      player.follower?.close();
      player.client.close();
    }
  }
}
