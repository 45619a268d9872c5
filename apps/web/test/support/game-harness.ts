// The game stores under test with the real SDK client and the real simulation: a scripted
// stand-in for the service's side of one game (the real @repo/game match, input queues and bots,
// and the game topic's log with offsets) and of the lobby (its games, topic and leaderboard), and
// a transport double that delivers those logs to the client when the test says so, one event at
// a time (a stream) or in lumps (a poll). The client's cursors, de-duplication, switching and
// reads (over the fetch given here) are real.
import { createClient, type RealtimeClient, type Transport, type TransportFactory, type TransportHost } from "@repo/client";
import {
  acceptsTurns,
  botAction,
  createInputQueue,
  createMatch,
  dropPending,
  GAME_LIMITS,
  offerInput,
  stateHash,
  stepMatch,
  takeInput,
  type InputQueue,
  type MatchState,
  type Seat,
  type TickInput,
} from "@repo/game";
import {
  GAME_EVENTS,
  GAME_LOBBY_TOPIC,
  ProtocolError,
  gamePaths,
  gameTopic,
  type Command,
  type CommandResult,
  type EventEnvelope,
  type GameLobbyResponse,
  type GameResponse,
  type GameSeat,
  type GameSummary,
  type LeaderboardEntry,
  type Position,
  type User,
} from "@repo/protocol";

export const ADA: User = { id: "00000000-0000-7000-8000-00000000000a", name: "Ada" };
export const BOB: User = { id: "00000000-0000-7000-8000-00000000000b", name: "Bob" };
export const GAME_ID = "gameAAAAAAAA";
const EPOCH = "e1";

export interface SeatSpec {
  seat: Seat;
  user: User | null;
}

/** The service's side of one game: its summary, the match, each seat's input queue, and the topic's log. */
export class ScriptedGame {
  readonly topic = gameTopic(GAME_ID);
  readonly log: EventEnvelope[] = [];
  state: MatchState | null = null;
  acks: Record<string, number> = {};
  summary: GameSummary;
  private readonly queues = new Map<Seat, InputQueue>();

  constructor(seats: SeatSpec[], settings: { tickHz?: number; roundsToWin?: number; width?: number; height?: number } = {}) {
    const host = seats.find((s) => s.user)?.user ?? ADA;
    this.summary = {
      id: GAME_ID,
      host,
      status: "waiting",
      settings: {
        maxSeats: Math.max(2, seats.length),
        tickHz: settings.tickHz ?? 15,
        roundsToWin: settings.roundsToWin ?? 3,
        width: settings.width ?? 24,
        height: settings.height ?? 16,
      },
      seats: seats.map(
        (s): GameSeat => ({ seat: s.seat, kind: s.user ? "human" : "bot", user: s.user, ready: true, connected: true, left: false }),
      ),
      createdAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
      rematchId: null,
    };
  }

  get position(): Position {
    return { epoch: EPOCH, offset: this.log.length };
  }

  publish(type: string, payload: unknown): void {
    this.log.push({ topic: this.topic, epoch: EPOCH, offset: this.log.length + 1, type, payload, ts: Date.now() });
  }

  /** GET /v1/games/:id */
  response(): GameResponse {
    return { game: this.summary, snapshot: this.state ? { state: this.state, acks: this.acks } : null, position: this.position, result: null };
  }

  start(seed = 7): void {
    const { settings } = this.summary;
    this.state = createMatch({
      seed,
      width: settings.width,
      height: settings.height,
      roundsToWin: settings.roundsToWin,
      tickHz: settings.tickHz,
      seats: this.summary.seats.map((s) => ({ seat: s.seat, kind: s.kind })),
    });
    for (const seat of this.summary.seats) {
      if (seat.kind === "human") {
        this.queues.set(seat.seat, createInputQueue());
        this.acks[String(seat.seat)] = 0;
      }
    }
    this.summary = { ...this.summary, status: "playing" };
    this.publish(GAME_EVENTS.seats, { game: this.summary });
    this.publish(GAME_EVENTS.snapshot, { state: this.state, acks: this.acks });
  }

  /** Runs one tick: one queued input per human seat (when turns apply), the bots, the sim. */
  tick(): MatchState {
    const state = this.mustHaveState();
    const nextTick = state.tick + 1;
    const inputs: TickInput[] = [];
    const late: Seat[] = [];
    if (acceptsTurns(state)) {
      for (const [seat, queue] of this.queues) {
        const taken = takeInput(queue, nextTick);
        this.queues.set(seat, taken.queue);
        this.acks[String(seat)] = taken.lastAppliedSeq;
        if (taken.action) inputs.push({ seat, action: taken.action });
        if (taken.action && taken.late) late.push(seat);
      }
      for (const seat of this.summary.seats) {
        const action = seat.kind === "bot" ? botAction(state, seat.seat) : null;
        if (action) inputs.push({ seat: seat.seat, action });
      }
    }
    const { state: next, delta } = stepMatch(state, inputs);
    this.state = next;
    if (next.round !== state.round) {
      for (const [seat, queue] of this.queues) {
        const dropped = dropPending(queue);
        this.queues.set(seat, dropped);
        this.acks[String(seat)] = dropped.lastAppliedSeq;
      }
    }
    this.publish(GAME_EVENTS.tick, { delta, acks: { ...this.acks }, late });
    if (next.tick % GAME_LIMITS.snapshotEveryTicks === 0) this.publish(GAME_EVENTS.snapshot, { state: next, acks: { ...this.acks } });
    if (next.phase === "gameOver" && state.phase !== "gameOver") {
      this.summary = { ...this.summary, status: "finished" };
      this.publish(GAME_EVENTS.over, { scores: next.scores, winner: next.winner, tick: next.tick, stateHash: stateHash(next), abandoned: false });
    }
    return next;
  }

  ticks(count: number): void {
    for (let i = 0; i < count; i++) this.tick();
  }

  /** Ticks until the match is in `phase` (at most `limit` ticks). */
  until(phase: MatchState["phase"], limit = 2000): void {
    for (let i = 0; i < limit && this.mustHaveState().phase !== phase; i++) this.tick();
    if (this.mustHaveState().phase !== phase) throw new Error(`no ${phase} within ${limit} ticks`);
  }

  /** `game.input` as the service runs it: the sender's own seat, the real input queue. */
  input(user: User, payload: { seq: number; dir: "up" | "down" | "left" | "right"; forTick?: number }) {
    const state = this.mustHaveState();
    const seat = this.summary.seats.find((s) => s.user?.id === user.id);
    if (!seat) throw new ProtocolError("forbidden", "Not seated");
    const cycle = state.cycles.find((c) => c.seat === seat.seat);
    const queue = this.queues.get(seat.seat) ?? createInputQueue();
    const offered = offerInput(queue, { seq: payload.seq, action: { type: "turn", dir: payload.dir }, forTick: payload.forTick }, {
      nextTick: state.tick + 1,
      currentDir: cycle?.dir ?? "up",
    });
    this.queues.set(seat.seat, offered.queue);
    if (offered.ok) return { seq: payload.seq, duplicate: false, late: offered.late };
    if (offered.reason === "duplicate") return { seq: payload.seq, duplicate: true, late: false };
    throw new ProtocolError(offered.reason === "illegal" ? "validation" : "rate_limited", `Input refused: ${offered.reason}`);
  }

  private mustHaveState(): MatchState {
    if (!this.state) throw new Error("the match has not started");
    return this.state;
  }
}

/** A transport double over the scripted game: delivers its log after the host's cursor when the test says. */
class ScriptedTransport implements Transport {
  readonly sendsOverConnection = false;
  closed = false;

  constructor(
    readonly name: string,
    private readonly host: TransportHost,
    private readonly network: ScriptedNetwork,
  ) {}

  open(): void {
    this.host.opened();
  }

  /** The service lost the game topic's history: a reset, the subscription carries on from `position`. */
  reset(position: Position): void {
    this.resetTopic(this.network.game.topic, position);
  }

  resetTopic(topic: string, position: Position): void {
    this.host.reset({ topic, reason: "unknown_epoch", position });
  }

  update(): void {}

  async send(command: Command): Promise<CommandResult> {
    try {
      return { ok: true, id: command.id, result: this.network.run(command) };
    } catch (error) {
      if (error instanceof ProtocolError) return { ok: false, id: command.id, error: { code: error.code, message: error.message } };
      throw error;
    }
  }

  close(): void {
    this.closed = true;
  }

  drop(): void {}

  /** Every event after the host's cursor, in order: what one poll answer or a stream's backlog brings. */
  deliver(max = Infinity): number {
    let delivered = 0;
    for (const [topic, position] of Object.entries(this.host.cursors())) {
      const log = this.network.logOf(topic);
      if (!log) continue;
      const from = position?.offset ?? log.length;
      for (const event of log.slice(from)) {
        if (delivered >= max) break;
        if (this.network.lost.has(event.offset) && topic === this.network.game.topic) continue;
        this.host.count("bytesReceived", JSON.stringify(event).length);
        this.host.event(event);
        delivered++;
      }
    }
    return delivered;
  }
}

/** The service's side of the lobby: the games it lists, its topic's log, and the leaderboard. */
export class ScriptedLobby {
  readonly topic = GAME_LOBBY_TOPIC;
  readonly log: EventEnvelope[] = [];
  readonly games = new Map<string, GameSummary>();
  leaderboard: LeaderboardEntry[] = [];
  leaderboardReads = 0;

  /** A game created or changed: listed, and told on the topic. */
  update(game: GameSummary): void {
    this.games.set(game.id, game);
    this.publish(GAME_EVENTS.lobbyUpdated, { game });
  }

  remove(gameId: string): void {
    this.games.delete(gameId);
    this.publish(GAME_EVENTS.lobbyRemoved, { gameId });
  }

  publish(type: string, payload: unknown): void {
    this.log.push({ topic: this.topic, epoch: EPOCH, offset: this.log.length + 1, type, payload, ts: Date.now() });
  }

  /** GET /v1/games */
  response(): GameLobbyResponse {
    return { games: [...this.games.values()], position: { epoch: EPOCH, offset: this.log.length } };
  }
}

/**
 * The network between the client and the scripted game: two transports ("stream" and "poll",
 * both scripted), the commands' handler, and the service's reads (the fetch given to the client).
 */
export class ScriptedNetwork {
  readonly transports: ScriptedTransport[] = [];
  readonly reads: string[] = [];
  /** Answers GET /v1/games/:id with this (default: the game now); a test may hold or fail a read. */
  read: () => Promise<GameResponse> = async () => this.game.response();
  commands: Command[] = [];
  /** Offsets never delivered (as if lost on the way): the next tick does not follow. */
  readonly lost = new Set<number>();

  constructor(
    readonly game: ScriptedGame,
    readonly me: User,
  ) {}

  readonly lobby = new ScriptedLobby();

  logOf(topic: string): EventEnvelope[] | undefined {
    if (topic === this.game.topic) return this.game.log;
    if (topic === this.lobby.topic) return this.lobby.log;
    return undefined;
  }

  client(transport: "stream" | "poll" = "stream"): RealtimeClient {
    const factory =
      (name: string): TransportFactory =>
      (host) => {
        const made = new ScriptedTransport(name, host, this);
        this.transports.push(made);
        return made;
      };
    return createClient({
      url: "http://realtime.test",
      transport,
      transports: { stream: factory("stream"), poll: factory("poll") },
      fetch: async (input) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        this.reads.push(url.pathname);
        if (url.pathname === gamePaths.lobby) return Response.json(this.lobby.response());
        if (url.pathname === gamePaths.leaderboard) {
          this.lobby.leaderboardReads++;
          return Response.json({ entries: this.lobby.leaderboard });
        }
        if (url.pathname !== gamePaths.game(GAME_ID)) return Response.json({ error: { code: "not_found", message: "No such read" } }, { status: 404 });
        try {
          return Response.json(await this.read());
        } catch (error) {
          return Response.json({ error: { code: "internal", message: String(error) } }, { status: 500 });
        }
      },
    });
  }

  /** The live transport (the newest one not closed). */
  get live(): ScriptedTransport {
    const live = this.transports.findLast((t) => !t.closed);
    if (!live) throw new Error("no live transport");
    return live;
  }

  deliver(max?: number): number {
    return this.live.deliver(max);
  }

  run(command: Command): unknown {
    this.commands.push(command);
    if (command.type === "game.input") return this.game.input(this.me, command.payload);
    return { game: this.game.summary };
  }
}

/** Lets the client's queued work (lazy start, reads, answers) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** A controllable clock (ms). */
export class Clock {
  ms = 1000;
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}
