import { Direction, GAME_LIMITS, InputLogEntry, MatchConfig, MatchState, Seat, SeatKind, TickDelta } from "@repo/game";
import { z } from "zod";
import { defineProtocolFeature } from "../feature-module";
import { API_PREFIX } from "../paths";
import { Position } from "../position";
import { User } from "../session";
import type { Topic } from "../topics";

/*
 * The game (Light Cycles), on the wire (docs/protocol.md, "Game").
 *
 * - `game:lobby` (any signed-in user): the live list of games, waiting and
 *   playing (`lobby.updated`, `lobby.removed`). GET /v1/games is its first load.
 * - `game:<gameId>` (any signed-in user, while the game exists: players and
 *   spectators alike): `game.seats` on every seating change, then once the
 *   match runs one `game.tick` per tick (the inputs the simulation applied at
 *   that tick, never the state), a `game.snapshot` (the whole MatchState) at
 *   the match's start, at each round's start and every `snapshotEveryTicks`
 *   ticks, and `game.over` at the end. The tick number is the event order: a
 *   client applies `game.tick` n + 1 to its state at tick n with @repo/game's
 *   applyDelta, and refetches GET /v1/games/:id on a gap or a reset.
 * - Joining late, spectating, resuming: GET /v1/games/:id gives the state now
 *   (a snapshot) and the topic position it stands at; subscribing from that
 *   position yields exactly the ticks after it, so every reader converges to
 *   the server's state.
 * - Inputs: `game.input { gameId, seq, dir, forTick? }` steers the sender's own
 *   seat (the seat is never named: it is the sender's). Per seat, `seq` must
 *   grow: a seq at or below the last accepted one is a duplicate, dropped
 *   (answered `duplicate: true`, so a retried send is harmless). Each
 *   `game.tick` acknowledges every seat's last applied seq (`acks`).
 * - LATE RULE: an input is applied at the next tick the server runs. One that
 *   names a `forTick` the server has already run (`forTick` < next tick) is
 *   still applied at the next tick, never back-dated, and is flagged: its
 *   answer says `late: true` and that tick's `game.tick` lists the seat in
 *   `late`. So every client sees the same inputs at the same ticks.
 * - At most one turn per seat is applied per tick; a seat may have
 *   `inputQueueMax` turns waiting and may offer `inputsPerTickMax` between two
 *   ticks (more: `rate_limited`, retry after one tick). A reversal or a turn to
 *   the direction already followed is `validation` (issue path payload.dir).
 *   A user who has no seat in the game is `forbidden`; a game not playing is
 *   `conflict`; an unknown game `not_found`.
 */

// ---------------------------------------------------------------------------
// Identifiers and topics

/** A game id: 12 URL-safe characters, made by the server (never "lobby", never "leaderboard"). */
export const GAME_ID_PATTERN = /^[A-Za-z0-9_-]{12}$/;
export const GameId = z.string().regex(GAME_ID_PATTERN, "Game id must be 12 URL-safe characters");
export type GameId = z.infer<typeof GameId>;

/** The lobby topic's id: not a game id (those are 12 characters), so it can never name a game. */
export const GAME_LOBBY_TOPIC_ID = "lobby";
export const GAME_LOBBY_TOPIC: Topic = `game:${GAME_LOBBY_TOPIC_ID}`;

export function gameTopic(gameId: GameId): Topic {
  return `game:${gameId}`;
}

/** The web app's link that joins a game (an invite's `path`). */
export function gameJoinPath(gameId: GameId): string {
  return `/game?join=${encodeURIComponent(gameId)}`;
}

/** The service's bounds on games (the simulation's own are @repo/game's GAME_LIMITS). */
export const GAME_SERVICE_LIMITS = {
  /** Games one user may be seated in at once (waiting or playing); more is `conflict`. */
  gamesPerUser: 3,
  /** Games one instance holds at once (the service's default; a deployment may set its own); more is `conflict`. */
  gamesTotal: 200,
  /** `game.create` per user per window. */
  createRate: { points: 10, windowSeconds: 60 },
  /** `game.invite` per user per window. */
  inviteRate: { points: 20, windowSeconds: 60 },
  /** `game.input` per user per second over all games (the per-tick rule of the input queue comes first). */
  inputRate: { points: 100, windowSeconds: 1 },
  /** A seated player not reading the game's topic (on any transport) this long after presence lost them is out. */
  disconnectGraceMs: 10_000,
  /** A finished game stays this long (for rematch), then it is closed and its topic refused. */
  finishedLingerMs: 60_000,
  /** A waiting game that nobody changes this long is closed. */
  waitingIdleMs: 10 * 60_000,
  /** Leaderboard page: default and maximum. */
  leaderboardDefault: 20,
  leaderboardMax: 100,
  /** Most entries of a stored input log (a turn per seat per tick for the longest game, and each seat's leave). */
  inputLogMax: GAME_LIMITS.maxSeats * (GAME_LIMITS.maxGameTicks + 1),
} as const;

// ---------------------------------------------------------------------------
// Shapes

export const GameStatus = z.enum(["waiting", "playing", "finished"]);
export type GameStatus = z.infer<typeof GameStatus>;

/** A seat as the lobby shows it. Bots have no user, are always ready and connected. */
export const GameSeat = z.object({
  seat: Seat,
  kind: SeatKind,
  user: User.nullable(),
  /** Ready to start (waiting games). */
  ready: z.boolean(),
  /** Reading the game's topic now, on any transport (a human away past the grace period is out). */
  connected: z.boolean(),
  /** Left the game: the seat's cycle is out for the rest of the match. */
  left: z.boolean(),
});
export type GameSeat = z.infer<typeof GameSeat>;

/** What the host chose at `game.create` (the grid is the default size). */
export const GameSettings = z.object({
  maxSeats: z.int().min(GAME_LIMITS.minSeats).max(GAME_LIMITS.maxSeats),
  tickHz: z.int().min(GAME_LIMITS.tickHzMin).max(GAME_LIMITS.tickHzMax),
  roundsToWin: z.int().min(1).max(GAME_LIMITS.roundsToWinMax),
  width: MatchConfig.shape.width,
  height: MatchConfig.shape.height,
});
export type GameSettings = z.infer<typeof GameSettings>;

/**
 * A game as listed. `host` may add bots and start; when the host leaves a
 * waiting game the next human seated becomes host. `rematchId`: the game
 * `game.rematch` made from this one, once someone asked.
 */
export const GameSummary = z.object({
  id: GameId,
  host: User,
  status: GameStatus,
  settings: GameSettings,
  seats: z.array(GameSeat).max(GAME_LIMITS.maxSeats),
  createdAt: z.string().datetime(),
  rematchId: GameId.nullable(),
});
export type GameSummary = z.infer<typeof GameSummary>;

/** A seat's number as a record key ("0".."7"). */
export const SeatKey = z.string().regex(/^[0-7]$/, "Seat key must be 0-7");

/** Per human seat, the seq of its last input the simulation applied (0: none yet). */
export const SeatAcks = z.record(SeatKey, z.int().nonnegative());
export type SeatAcks = z.infer<typeof SeatAcks>;

/** Input sequence numbers: per seat, from 1, strictly growing. */
export const InputSeq = z.int().min(1).max(2_147_483_647);

/** The whole match at one tick, and the acks at that tick. */
export const GameSnapshot = z.object({ state: MatchState, acks: SeatAcks });
export type GameSnapshot = z.infer<typeof GameSnapshot>;

/** One seat of a finished game. */
export const GamePlayer = z.object({ seat: Seat, kind: SeatKind, user: User.nullable(), score: z.int().nonnegative(), won: z.boolean() });
export type GamePlayer = z.infer<typeof GamePlayer>;

/**
 * A finished game's stored result. `scores` follow the order of config.seats;
 * `winner` is a seat (null: a draw); `stateHash` is @repo/game's stateHash of
 * the final state, which replaying the stored log reproduces.
 */
export const GameResult = z.object({
  scores: z.array(z.int().nonnegative()).max(GAME_LIMITS.maxSeats),
  winner: Seat.nullable(),
  ticks: z.int().nonnegative(),
  stateHash: z.string(),
  finishedAt: z.string().datetime(),
  players: z.array(GamePlayer).max(GAME_LIMITS.maxSeats),
});
export type GameResult = z.infer<typeof GameResult>;

// ---------------------------------------------------------------------------
// Events on game:lobby and game:<gameId>

export const GAME_EVENTS = {
  /** game:lobby: a game was created or changed (seats, status). */
  lobbyUpdated: "lobby.updated",
  /** game:lobby: a game is gone from the lobby (it was closed). */
  lobbyRemoved: "lobby.removed",
  /** game:<id>: the seating changed (join, leave, ready, bot, host, connection, status, rematch). */
  seats: "game.seats",
  /** game:<id>: the whole state: at the match's start, at each round's start and every snapshotEveryTicks ticks. */
  snapshot: "game.snapshot",
  /** game:<id>: one tick: the inputs applied at `delta.tick`, every seat's acks, the seats whose input was late. */
  tick: "game.tick",
  /** game:<id>: the match ended (`abandoned`: no human was left; nothing is stored then). */
  over: "game.over",
} as const;

const GamePayload = z.object({ game: GameSummary });

export const GameTickPayload = z.object({
  delta: TickDelta,
  acks: SeatAcks,
  late: z.array(Seat).max(GAME_LIMITS.maxSeats),
  /**
   * Several instances only: the fencing token of the lease the tick was run under. It grows
   * with each takeover, and a publish under a stale one is refused, so along a topic it never goes down.
   */
  fence: z.int().positive().optional(),
});
export type GameTickPayload = z.infer<typeof GameTickPayload>;

export const GameOverPayload = z.object({
  scores: z.array(z.int().nonnegative()).max(GAME_LIMITS.maxSeats),
  winner: Seat.nullable(),
  tick: z.int().nonnegative(),
  stateHash: z.string(),
  abandoned: z.boolean(),
});
export type GameOverPayload = z.infer<typeof GameOverPayload>;

/** An event on a game topic, by type. Parse `{ type: event.type, payload: event.payload }`. */
export const GameEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal(GAME_EVENTS.lobbyUpdated), payload: GamePayload }),
  z.object({ type: z.literal(GAME_EVENTS.lobbyRemoved), payload: z.object({ gameId: GameId }) }),
  z.object({ type: z.literal(GAME_EVENTS.seats), payload: GamePayload }),
  z.object({ type: z.literal(GAME_EVENTS.snapshot), payload: GameSnapshot }),
  z.object({ type: z.literal(GAME_EVENTS.tick), payload: GameTickPayload }),
  z.object({ type: z.literal(GAME_EVENTS.over), payload: GameOverPayload }),
]);
export type GameEvent = z.infer<typeof GameEvent>;
export type GameEventType = GameEvent["type"];

// ---------------------------------------------------------------------------
// Commands

const GameRef = z.object({ gameId: GameId });
const GameAnswer = z.object({ game: GameSummary });

export const GAME_COMMANDS = {
  /**
   * Opens a game; the creator takes seat 0 and is its host. Left out: 2..8
   * seats → 4, tickHz → 15, roundsToWin → 3. Seated in gamesPerUser games
   * already, or the instance full → `conflict`.
   */
  "game.create": {
    payload: z.object({
      maxSeats: GameSettings.shape.maxSeats.optional(),
      tickHz: GameSettings.shape.tickHz.optional(),
      roundsToWin: GameSettings.shape.roundsToWin.optional(),
    }),
    result: GameAnswer,
  },
  /** Takes a free seat in a waiting game (already seated: nothing changes). Full or started → `conflict`. */
  "game.join": { payload: GameRef, result: GameAnswer },
  /**
   * Leaves: in a waiting game the seat is freed; in a playing one the cycle
   * is out at the next tick (at once, no grace period). A game left with no
   * human ends and is closed.
   */
  "game.leave": { payload: GameRef, result: z.object({ gameId: GameId }) },
  /** Marks one's seat ready (or not) in a waiting game. */
  "game.ready": { payload: GameRef.extend({ ready: z.boolean() }), result: GameAnswer },
  /** The host fills a free seat with a server-side bot. */
  "game.addBot": { payload: GameRef, result: GameAnswer },
  /** The host starts the match: at least two seats taken and every other human ready (else `conflict`). */
  "game.start": { payload: GameRef, result: GameAnswer },
  /**
   * Steers one's own cycle (see the late rule above). `forTick`: the tick the
   * client meant it for (its state's tick + 1). No receipt is kept: the seq
   * is what makes a resend harmless.
   */
  "game.input": {
    payload: GameRef.extend({ seq: InputSeq, dir: Direction, forTick: z.int().min(1).max(GAME_LIMITS.maxGameTicks).optional() }),
    result: z.object({ seq: InputSeq, duplicate: z.boolean(), late: z.boolean() }),
  },
  /**
   * After a game finished: the first player to ask opens a new game with the
   * same settings and bots (new seed) and takes their old seat; the others who
   * ask join it. The old game's `rematchId` (game.seats) points to it.
   */
  "game.rematch": { payload: GameRef, result: GameAnswer },
  /**
   * A seated player invites a user (by id) to a waiting game: they get an
   * `invite` notification whose `path` joins it. Inviting again changes nothing.
   */
  "game.invite": { payload: GameRef.extend({ userId: z.uuid("User id must be a UUID") }), result: z.object({ gameId: GameId, userId: z.string() }) },
} as const;

/** The game module of the protocol: topic kind `game`, the commands above, GameEvent on its topics. */
export const gameProtocol = defineProtocolFeature({
  name: "game",
  topicKinds: ["game"],
  commands: GAME_COMMANDS,
  events: GameEvent,
});

// ---------------------------------------------------------------------------
// Reads (GET, authenticated like every HTTP endpoint)

export const gamePaths = {
  lobby: `${API_PREFIX}/games`,
  leaderboard: `${API_PREFIX}/games/leaderboard`,
  game: (gameId: GameId) => `${API_PREFIX}/games/${gameId}`,
  replay: (gameId: GameId) => `${API_PREFIX}/games/${gameId}/replay`,
} as const;

/** The same paths as the server's route patterns (`:gameId` is a path parameter, see GameParams). */
export const gameRoutes = {
  lobby: gamePaths.lobby,
  leaderboard: gamePaths.leaderboard,
  game: gamePaths.game(":gameId"),
  replay: gamePaths.replay(":gameId"),
} as const;

export const GameParams = z.object({ gameId: GameId });

/** `GET /v1/games`: every game this instance holds (waiting first, then playing), and the lobby topic's position. */
export const GameLobbyResponse = z.object({ games: z.array(GameSummary), position: Position });
export type GameLobbyResponse = z.infer<typeof GameLobbyResponse>;

/**
 * `GET /v1/games/:id`: the game, the match's state now (null before it
 * starts) and the position of game:<id> that state stands at: subscribe from
 * it and apply each `game.tick` after it. `result`: the stored result once
 * the game finished. A closed game (finishedLingerMs after its end, or when
 * no human is left) is `not_found`; its replay stays.
 */
export const GameResponse = z.object({
  game: GameSummary,
  snapshot: GameSnapshot.nullable(),
  position: Position,
  result: GameResult.nullable(),
});
export type GameResponse = z.infer<typeof GameResponse>;

/** Query of `GET /v1/games/leaderboard`: the `limit` users with most wins (default 20, at most 100). */
export const LeaderboardQuery = z.object({
  limit: z.coerce.number().int().min(1).max(GAME_SERVICE_LIMITS.leaderboardMax).default(GAME_SERVICE_LIMITS.leaderboardDefault),
});
export type LeaderboardQuery = z.input<typeof LeaderboardQuery>;

export const LeaderboardEntry = z.object({ user: User, wins: z.int().nonnegative(), games: z.int().nonnegative() });
export type LeaderboardEntry = z.infer<typeof LeaderboardEntry>;

/** `GET /v1/games/leaderboard`: most wins first (then fewer games, then the earlier user). */
export const LeaderboardResponse = z.object({ entries: z.array(LeaderboardEntry) });
export type LeaderboardResponse = z.infer<typeof LeaderboardResponse>;

/**
 * `GET /v1/games/:id/replay` (finished games only): the config (seed
 * included), every applied input in tick order, and the stored result.
 * @repo/game's replayMatch(config, log) re-runs it; its last state hashes to
 * `result.stateHash`.
 */
export const GameReplayResponse = z.object({
  config: MatchConfig,
  log: z.array(InputLogEntry).max(GAME_SERVICE_LIMITS.inputLogMax),
  result: GameResult,
});
export type GameReplayResponse = z.infer<typeof GameReplayResponse>;
