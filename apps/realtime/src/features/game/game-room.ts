import {
  acceptsTurns,
  botAction,
  createInputQueue,
  dropPending,
  GAME_LIMITS,
  logEntriesOf,
  stepMatch,
  takeInput,
  type InputLogEntry,
  type InputQueue,
  type MatchConfig,
  type MatchState,
  type Seat,
  type SeatKind,
  type TickInput,
} from "@repo/game";
import type { GameResult, GameSettings, GameSnapshot, GameStatus, GameSummary, GameTickPayload, Position, SeatAcks, User } from "@repo/protocol";

/** One seat of a game as the service holds it. */
export interface SeatEntry {
  seat: Seat;
  kind: SeatKind;
  /** Null for a bot. */
  user: User | null;
  ready: boolean;
  /** Reading the game's topic (presence); bots always. */
  connected: boolean;
  /** Out of the game (left, or away past the grace period). */
  left: boolean;
  /** The seat's inputs waiting for their tick (humans). */
  queue: InputQueue;
}

/** A running (or finished) match. */
export interface MatchRun {
  /** The authoritative state: the last tick the loop ran. */
  state: MatchState;
  startedAt: Date;
  /** Every applied input, in tick order: the stored replay. */
  log: InputLogEntry[];
  /** Seats whose leave applies at the next tick. */
  leaving: Set<Seat>;
  /** What readers get: the last published state and the topic position it stands at. */
  published: { snapshot: GameSnapshot; position: Position } | null;
}

/** One game in memory. Seats are kept in seat order. */
export interface GameRoom {
  id: string;
  host: User;
  settings: GameSettings;
  createdAt: Date;
  status: GameStatus;
  seats: SeatEntry[];
  rematchId: string | null;
  match: MatchRun | null;
  /** Once finished and stored. */
  result: GameResult | null;
}

/** A waiting game with its host seated (at `hostSeat`, seat 0 unless a rematch keeps the old one). */
export function createRoom(id: string, host: User, settings: GameSettings, now: Date, hostSeat: Seat = 0): GameRoom {
  // Only the id and name: the signed-in user carries its session too, which must not go on the wire.
  const room: GameRoom = { id, host: { id: host.id, name: host.name }, settings, createdAt: now, status: "waiting", seats: [], rematchId: null, match: null, result: null };
  seatHuman(room, host, hostSeat);
  return room;
}

export function seatHuman(room: GameRoom, user: User, seat: Seat): SeatEntry {
  return addSeat(room, { seat, kind: "human", user: { id: user.id, name: user.name }, ready: false, connected: false, left: false, queue: createInputQueue() });
}

export function seatBot(room: GameRoom, seat: Seat): SeatEntry {
  return addSeat(room, { seat, kind: "bot", user: null, ready: true, connected: true, left: false, queue: createInputQueue() });
}

function addSeat(room: GameRoom, entry: SeatEntry): SeatEntry {
  room.seats = [...room.seats, entry].sort((a, b) => a.seat - b.seat);
  return entry;
}

export function unseat(room: GameRoom, seat: Seat) {
  room.seats = room.seats.filter((entry) => entry.seat !== seat);
}

/** The lowest seat number not taken (null: the game is full). `preferred` first, when free. */
export function freeSeat(room: GameRoom, preferred?: Seat): Seat | null {
  const taken = new Set(room.seats.map((entry) => entry.seat));
  if (preferred !== undefined && preferred < room.settings.maxSeats && !taken.has(preferred)) return preferred;
  for (let seat = 0; seat < room.settings.maxSeats; seat++) if (!taken.has(seat)) return seat;
  return null;
}

/** The user's seat, while they are in the game. */
export function seatOf(room: GameRoom, userId: string): SeatEntry | undefined {
  return room.seats.find((entry) => entry.user?.id === userId && !entry.left);
}

/** Humans still in the game. */
export function activeHumans(room: GameRoom): SeatEntry[] {
  return room.seats.filter((entry) => entry.kind === "human" && !entry.left);
}

export function matchConfigOf(room: GameRoom, seed: number): MatchConfig {
  const { width, height, roundsToWin, tickHz } = room.settings;
  return { seed, width, height, roundsToWin, tickHz, seats: room.seats.map(({ seat, kind }) => ({ seat, kind })) };
}

export function summaryOf(room: GameRoom): GameSummary {
  return {
    id: room.id,
    host: room.host,
    status: room.status,
    settings: room.settings,
    seats: room.seats.map(({ seat, kind, user, ready, connected, left }) => ({ seat, kind, user, ready, connected, left })),
    createdAt: room.createdAt.toISOString(),
    rematchId: room.rematchId,
  };
}

/** Per human seat, the last applied input seq. */
export function acksOf(room: GameRoom): SeatAcks {
  const acks: SeatAcks = {};
  for (const entry of room.seats) if (entry.kind === "human") acks[String(entry.seat)] = entry.queue.lastAppliedSeq;
  return acks;
}

export interface TickOutcome {
  payload: GameTickPayload;
  /** A new round began at this tick (or the match is at its first tick): publish a snapshot. */
  snapshot: boolean;
}

/**
 * Runs one tick of a room's match: takes each seat's input for it (one queued
 * turn per human, the bot's move, pending leaves), steps the simulation,
 * logs what it applied. Mutates the room's run and queues; no I/O.
 */
export function stepRoom(room: GameRoom, run: MatchRun): TickOutcome {
  const before = run.state;
  const tick = before.tick + 1;
  const turns = acceptsTurns(before);
  const inputs: TickInput[] = [];
  const late: Seat[] = [];
  for (const seat of run.leaving) inputs.push({ seat, action: { type: "leave" } });
  run.leaving.clear();
  for (const entry of room.seats) {
    if (entry.kind === "bot") {
      const action = turns ? botAction(before, entry.seat) : null;
      if (action) inputs.push({ seat: entry.seat, action });
    } else if (turns && !entry.left) {
      const taken = takeInput(entry.queue, tick);
      entry.queue = taken.queue;
      if (taken.action) inputs.push({ seat: entry.seat, action: taken.action });
      if (taken.action && taken.late) late.push(entry.seat);
    }
  }
  const { state, delta } = stepMatch(before, inputs);
  run.state = state;
  run.log.push(...logEntriesOf(delta));
  const newRound = state.round !== before.round;
  // Turns queued for the old round mean nothing on new spawns.
  if (newRound) for (const entry of room.seats) entry.queue = dropPending(entry.queue);
  return {
    payload: { delta, acks: acksOf(room), late },
    snapshot: newRound || state.tick % GAME_LIMITS.snapshotEveryTicks === 0,
  };
}
