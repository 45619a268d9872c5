import { randomBytes, randomInt } from "node:crypto";
import http from "node:http";
import {
  acceptsTurns,
  botAction,
  createInputQueue,
  createMatch,
  Direction,
  dropPending,
  GAME_LIMITS,
  offerInput,
  stateHash,
  stepMatch,
  takeInput,
  tickMsFor,
  type InputQueue,
  type MatchConfig,
  type MatchState,
  type Seat,
  type TickInput,
} from "@repo/game";
import { GAME_EVENTS, type GameOverPayload, type GameSnapshot, type GameTickPayload, type SeatAcks } from "@repo/protocol";
import { Server as SocketIoServer, type Socket } from "socket.io";
import { z } from "zod";
import { emptyLateness, observeLateness } from "../lateness";
import { startFixedTick } from "./fixed-tick";
import type { GameCounts, GameServerHandle } from "./game-server";

/**
 * The WebSocket row's baseline: the least code that runs the same game over
 * socket.io. The same simulation (@repo/game), the same input queue rules, the
 * same fixed-timestep loop, and the same messages: every tick a `game.tick`
 * envelope with the very JSON Switchboard sends (`{topic, offset, epoch, type,
 * payload: {delta, acks, late}, ts}`), a `game.snapshot` at each round and
 * every snapshotEveryTicks ticks, `game.over` at the end, broadcast to the
 * game's socket.io room (encoded once per room). What it leaves out is what
 * Switchboard adds around a game: sessions and auth, the topic log with
 * offsets and resume, presence, the command dispatcher, the lobby, limits,
 * metrics, the database. A finished game starts again at once (as a rematch).
 *
 * Its wire: `join {table, humans, bots, tickHz, roundsToWin}` → `{seat}` (the
 * match starts when `humans` sockets sat down); `input {seq, dir, forTick?}`
 * → `{seq, duplicate, late}` or `{error}`; `state` → the match's state now;
 * the server emits `event` envelopes.
 */

const JoinRequest = z.object({
  table: z.string().min(1).max(64),
  humans: z.int().min(1).max(GAME_LIMITS.maxSeats),
  bots: z.int().min(0).max(GAME_LIMITS.maxSeats - 1),
  tickHz: z.int().min(GAME_LIMITS.tickHzMin).max(GAME_LIMITS.tickHzMax),
  roundsToWin: z.int().min(1).max(GAME_LIMITS.roundsToWinMax),
});
const InputRequest = z.object({ seq: z.int().min(1), dir: Direction, forTick: z.int().min(1).optional() });

export type BareJoinRequest = z.infer<typeof JoinRequest>;
const BareError = z.object({ error: z.string() });
/** The answers, as schemas: the clients check what they get. */
export const BareJoinAnswer = z.union([z.object({ seat: z.int().min(0) }), BareError]);
export type BareJoinAnswer = z.infer<typeof BareJoinAnswer>;
export const BareInputAnswer = z.union([z.object({ seq: z.int(), duplicate: z.boolean(), late: z.boolean() }), BareError]);
export type BareInputAnswer = z.infer<typeof BareInputAnswer>;

/** A socket.io acknowledgement callback (the client sent one). */
const isAck = (value: unknown): value is (answer: unknown) => void => typeof value === "function";

interface HumanSeat {
  seat: Seat;
  socket: Socket;
  queue: InputQueue;
}

interface Match {
  gameId: string;
  state: MatchState;
  /** The topic's offset: one per event, as the hub counts. */
  offset: number;
  stop: () => void;
}

interface Table {
  name: string;
  settings: BareJoinRequest;
  humans: HumanSeat[];
  match: Match | null;
}

const epoch = randomBytes(6).toString("base64url");

export async function startBareGames(): Promise<GameServerHandle> {
  const server = http.createServer();
  const io = new SocketIoServer(server, { transports: ["websocket"], serveClient: false });
  const tables = new Map<string, Table>();
  const lateness = emptyLateness();

  function emit(table: Table, match: Match, type: string, payload: GameSnapshot | GameTickPayload | GameOverPayload) {
    match.offset++;
    io.to(table.name).emit("event", { topic: `game:${match.gameId}`, offset: match.offset, epoch, type, payload, ts: Date.now() });
  }

  const acksOf = (table: Table): SeatAcks => Object.fromEntries(table.humans.map((human) => [String(human.seat), human.queue.lastAppliedSeq]));

  function startMatch(table: Table) {
    const { humans, bots, tickHz, roundsToWin } = table.settings;
    const seats = Array.from({ length: humans + bots }, (_, seat) => ({ seat, kind: seat < humans ? ("human" as const) : ("bot" as const) }));
    const config: MatchConfig = { seed: randomInt(0, 2 ** 32), width: GAME_LIMITS.width, height: GAME_LIMITS.height, roundsToWin, tickHz, seats };
    for (const human of table.humans) human.queue = createInputQueue();
    const match: Match = { gameId: randomBytes(9).toString("base64url"), state: createMatch(config), offset: 0, stop: () => {} };
    table.match = match;
    emit(table, match, GAME_EVENTS.snapshot, { state: match.state, acks: acksOf(table) });
    match.stop = startFixedTick({ periodMs: tickMsFor(tickHz), step: () => step(table), onLateness: (ms) => observeLateness(lateness, ms) });
  }

  /** One tick, as the service's stepRoom: one queued turn per human, the bots' moves, the step, the events. */
  function step(table: Table): boolean {
    const match = table.match;
    if (!match || tables.get(table.name) !== table) return false;
    const before = match.state;
    const tick = before.tick + 1;
    const turns = acceptsTurns(before);
    const inputs: TickInput[] = [];
    const late: Seat[] = [];
    for (const { seat } of before.config.seats) {
      const human = table.humans.find((entry) => entry.seat === seat);
      if (!human) {
        const action = turns ? botAction(before, seat) : null;
        if (action) inputs.push({ seat, action });
      } else if (turns) {
        const taken = takeInput(human.queue, tick);
        human.queue = taken.queue;
        if (taken.action) inputs.push({ seat, action: taken.action });
        if (taken.action && taken.late) late.push(seat);
      }
    }
    const { state, delta } = stepMatch(before, inputs);
    match.state = state;
    const newRound = state.round !== before.round;
    if (newRound) for (const human of table.humans) human.queue = dropPending(human.queue);
    emit(table, match, GAME_EVENTS.tick, { delta, acks: acksOf(table), late });
    if (newRound || state.tick % GAME_LIMITS.snapshotEveryTicks === 0) emit(table, match, GAME_EVENTS.snapshot, { state, acks: acksOf(table) });
    if (state.phase !== "gameOver") return true;
    emit(table, match, GAME_EVENTS.over, { scores: state.scores, winner: state.winner, tick: state.tick, stateHash: stateHash(state), abandoned: false });
    // The next match starts after this step returns (its loop is a fresh one).
    setImmediate(() => tables.get(table.name) === table && startMatch(table));
    return false;
  }

  function leave(table: Table, socket: Socket) {
    table.humans = table.humans.filter((human) => human.socket !== socket);
    if (table.humans.length > 0) return;
    table.match?.stop();
    tables.delete(table.name);
  }

  io.on("connection", (socket) => {
    let seated: Table | null = null;
    socket.on("join", (request: unknown, ack: unknown) => {
      if (!isAck(ack)) return;
      const answer = (value: BareJoinAnswer) => ack(value);
      const parsed = JoinRequest.safeParse(request);
      if (!parsed.success || seated) return answer({ error: "validation" });
      let table = tables.get(parsed.data.table);
      if (!table) tables.set(parsed.data.table, (table = { name: parsed.data.table, settings: parsed.data, humans: [], match: null }));
      if (table.match || table.humans.length >= table.settings.humans) return answer({ error: "conflict" });
      const seat = table.humans.length;
      table.humans.push({ seat, socket, queue: createInputQueue() });
      seated = table;
      void socket.join(table.name);
      answer({ seat });
      if (table.humans.length === table.settings.humans) startMatch(table);
    });
    socket.on("input", (request: unknown, ack: unknown) => {
      if (!isAck(ack)) return;
      const answer = (value: BareInputAnswer) => ack(value);
      const parsed = InputRequest.safeParse(request);
      const human = seated?.humans.find((entry) => entry.socket === socket);
      const state = seated?.match?.state;
      if (!parsed.success) return answer({ error: "validation" });
      const cycle = state?.cycles.find((c) => c.seat === human?.seat);
      if (!human || !state || !cycle || state.phase === "gameOver") return answer({ error: "conflict" });
      const offer = offerInput(
        human.queue,
        { seq: parsed.data.seq, action: { type: "turn", dir: parsed.data.dir }, forTick: parsed.data.forTick },
        { nextTick: state.tick + 1, currentDir: cycle.dir },
      );
      human.queue = offer.queue;
      if (offer.ok) return answer({ seq: parsed.data.seq, duplicate: false, late: offer.late });
      if (offer.reason === "duplicate") return answer({ seq: parsed.data.seq, duplicate: true, late: false });
      answer({ error: offer.reason === "illegal" ? "validation" : "rate_limited" });
    });
    // The state now, for the players' final check (GET /v1/games/:id on Switchboard).
    socket.on("state", (ack: unknown) => {
      if (isAck(ack)) ack(seated?.match?.state ?? null);
    });
    socket.on("disconnect", () => {
      if (seated) leave(seated, socket);
      seated = null;
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the bare game server has no TCP address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    lateness: async () => structuredClone(lateness),
    async games(): Promise<GameCounts> {
      let playing = 0;
      for (const table of tables.values()) if (table.match) playing++;
      return { waiting: tables.size - playing, playing, finished: 0 };
    },
    async close() {
      for (const table of tables.values()) table.match?.stop();
      tables.clear();
      io.disconnectSockets(true);
      io.engine.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
