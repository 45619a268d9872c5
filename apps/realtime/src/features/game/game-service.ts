import { randomUUID } from "node:crypto";
import { findGameResult, findUser, leaderboard, saveGameResult, type Database } from "@repo/db";
import { createMatch, GAME_LIMITS, logEntriesOf, offerInput, stateHash, tickMsFor, type MatchState, type Seat } from "@repo/game";
import {
  GAME_EVENTS,
  GAME_LOBBY_TOPIC,
  GAME_LOBBY_TOPIC_ID,
  ProtocolError,
  gameTopic,
  topicId,
  topicKind,
  type CommandOf,
  type CommandPayloadOf,
  type CommandResultOf,
  type EventEnvelope,
  type GameEvent,
  type GameLobbyResponse,
  type GameReplayResponse,
  type GameResponse,
  type GameSettings,
  type GameSummary,
  type LeaderboardResponse,
  type CommandType,
  type Topic,
  type User,
} from "@repo/protocol";
import type { FastifyBaseLogger } from "fastify";
import { StaleFenceError, type Hub } from "../../hub/hub";
import type { Presence } from "../../hub/presence";
import type { FeatureEvents } from "../feature-events";
import { createAwayTimers } from "./away-timers";
import type { GameCluster } from "./cluster/game-cluster";
import { repeat } from "./cluster/repeat";
import { recordOf, roomFrom } from "./cluster/room-record";
import "./game-events";
import { newGameId, newSeed } from "./game-ids";
import type { GameMetrics, GameStats } from "./game-metrics";
import {
  activeHumans,
  createRoom,
  freeSeat,
  matchConfigOf,
  seatBot,
  seatHuman,
  seatOf,
  stepRoom,
  summaryOf,
  unseat,
  acksOf,
  type GameRoom,
  type SeatEntry,
} from "./game-room";
import { resultRecord, resultToWire, storedToReplay } from "./game-wire";
import { InputLog } from "./input-log";
import type { GameLoopOwnership } from "./loop-ownership";
import { startTickLoop, type TickLoop } from "./tick-loop";

export interface GameLimits {
  /** Games this instance holds at once. */
  maxGames: number;
  /** Games one user may be seated in at once (waiting or playing). */
  gamesPerUser: number;
  /** How long a seated player may be away (after presence lost them) before their seat is out. */
  disconnectGraceMs: number;
  /** How long a finished game stays (rematch) before it is closed. */
  finishedLingerMs: number;
  /** How long a waiting game nobody changes stays. */
  waitingIdleMs: number;
}

export interface GameServiceDeps {
  hub: Hub;
  presence: Presence;
  db: Database;
  log: FastifyBaseLogger;
  events: FeatureEvents;
  ownership: GameLoopOwnership;
  limits: GameLimits;
  revokeRead(userId: string, topic: Topic): void;
  metrics(stats: () => GameStats): GameMetrics;
  /** The tick rate of a game whose creator names none (the `game.tick-hz` flag). */
  defaultTickHz(): Promise<number>;
  /**
   * Several instances (Redis): each game is owned by the instance holding its lease, every
   * event is a fenced publish that also writes the room's record, commands for a game held
   * elsewhere are forwarded to its owner, and a game whose owner died is taken over.
   */
  cluster?: GameCluster;
}

/** The game commands, by type. */
export type GameCommandType = Extract<CommandType, `game.${string}`>;
export type GameCommand = CommandOf<GameCommandType>;

/** A room and what runs for it: its publish order, its loop, its expiry. */
interface LiveGame {
  room: GameRoom;
  /** Publishes of this game, one after another, so the topic's order is the order they were made in. */
  chain: Promise<unknown>;
  loop: TickLoop | null;
  release: (() => void) | null;
  /** Closes a waiting game left idle, or a finished one after its linger. */
  expiry: NodeJS.Timeout | null;
  closed: boolean;
  /** Several instances: the fencing token of this instance's lease on the game (null: one instance). */
  fence: number | null;
  /** The match state as of the last tick published (what the room's record holds). */
  tickState: MatchState | null;
}

type GamePayload<T extends GameEvent["type"]> = Extract<GameEvent, { type: T }>["payload"];

const DEFAULT_SEATS = 4;

/**
 * The game rules around the simulation, whatever the transport: the lobby
 * (create, join, ready, bots, start, rematch, invite), one tick loop per
 * playing game (through the ownership seam), inputs into each seat's queue,
 * grace periods from presence, one database write when a game finishes, and
 * closing a game with everything it held (loop, timers, readers).
 */
export function createGameService(deps: GameServiceDeps) {
  const { hub, presence, db, log, limits, cluster } = deps;
  if (cluster && !hub.publishFenced) throw new Error("The game on several instances needs a shared hub (publishFenced)");
  const games = new Map<string, LiveGame>();
  let lobbyChain: Promise<unknown> = Promise.resolve();
  const away = createAwayTimers(limits.disconnectGraceMs, (gameId, seat, userId) => {
    const live = games.get(gameId);
    const entry = live ? seatOf(live.room, userId) : undefined;
    if (!live || entry?.seat !== seat || entry.connected) return;
    log.info({ gameId, seat }, "a player was away past the grace period: their seat is out");
    removeFromGame(live, entry).catch((error: unknown) => log.error({ err: error, gameId }, "could not put an away player out"));
  });
  const metrics = deps.metrics(stats);

  function stats(): GameStats {
    const counts = { waiting: 0, playing: 0, finished: 0 };
    let timers = away.pending();
    for (const live of games.values()) {
      counts[live.room.status]++;
      if (live.loop?.timerPending) timers++;
      if (live.expiry) timers++;
    }
    return { games: counts, loops: deps.ownership.running(), timers };
  }

  // -------------------------------------------------------------------------
  // Publishing

  function publishGame<T extends GameEvent["type"]>(live: LiveGame, type: T, payload: GamePayload<T>, inputs?: number[]): Promise<EventEnvelope> {
    const topic = gameTopic(live.room.id);
    const published = live.chain.then(() => {
      if (!cluster || live.fence === null || !hub.publishFenced) return hub.publish(topic, type, payload);
      // The record goes with the event, in one step: it never runs ahead of what was published.
      if (type === GAME_EVENTS.tick) live.tickState = live.room.match?.state ?? null;
      const fence = cluster.fence(live.room.id, live.fence, recordOf(live.room, live.tickState), inputs);
      return hub.publishFenced(topic, type, payload, fence).catch((error: unknown) => {
        if (error instanceof StaleFenceError) lost(live, "its fencing token is stale");
        throw error;
      });
    });
    live.chain = published.catch(() => undefined);
    return published;
  }

  /** Another instance has taken the game (this one was paused, or cut from Redis): stop here, touch nothing shared. */
  function lost(live: LiveGame, why: string) {
    if (games.get(live.room.id) !== live) return;
    log.warn({ gameId: live.room.id, why }, "this instance lost a game to another: its loop stops here");
    stopGame(live);
  }

  function publishLobby<T extends GameEvent["type"]>(type: T, payload: GamePayload<T>): Promise<EventEnvelope> {
    const published = lobbyChain.then(() => hub.publish(GAME_LOBBY_TOPIC, type, payload));
    lobbyChain = published.catch(() => undefined);
    return published;
  }

  /** The seating changed: on the game's topic and in the lobby. */
  async function announce(live: LiveGame): Promise<GameSummary> {
    const game = summaryOf(live.room);
    await Promise.all([publishGame(live, GAME_EVENTS.seats, { game }), publishLobby(GAME_EVENTS.lobbyUpdated, { game })]);
    return game;
  }

  async function publishSnapshot(live: LiveGame) {
    const run = live.room.match;
    if (!run) return;
    const snapshot = { state: run.state, acks: acksOf(live.room) };
    const event = await publishGame(live, GAME_EVENTS.snapshot, snapshot);
    run.published = { snapshot, position: { epoch: event.epoch, offset: event.offset } };
  }

  // -------------------------------------------------------------------------
  // Lookups and rules

  function liveGame(gameId: string): LiveGame {
    const live = games.get(gameId);
    if (!live) throw new ProtocolError("not_found", "No such game");
    return live;
  }

  function seatedOrThrow(live: LiveGame, user: User): SeatEntry {
    const entry = seatOf(live.room, user.id);
    if (!entry) throw new ProtocolError("forbidden", "You have no seat in this game");
    return entry;
  }

  function hostOrThrow(live: LiveGame, user: User) {
    if (live.room.host.id !== user.id) throw new ProtocolError("forbidden", "Only the game's host may do that");
  }

  function waitingOrThrow(live: LiveGame) {
    if (live.room.status !== "waiting") throw new ProtocolError("conflict", "The game has already started");
  }

  /** Games the user is seated in that are not over (on several instances: on all of them). */
  async function seatedCount(userId: string): Promise<number> {
    let count = 0;
    for (const { room } of games.values()) if (room.status !== "finished" && seatOf(room, userId)) count++;
    if (cluster) {
      for (const game of await cluster.summaries()) {
        if (games.has(game.id) || game.status === "finished") continue;
        if (game.seats.some((seat) => seat.user?.id === userId && !seat.left)) count++;
      }
    }
    return count;
  }

  async function roomForOneMore(user: User) {
    if ((await seatedCount(user.id)) >= limits.gamesPerUser) {
      throw new ProtocolError("conflict", `You are in ${limits.gamesPerUser} games already; leave one first`);
    }
  }

  function roomForOneMoreGame() {
    if (games.size >= limits.maxGames) throw new ProtocolError("conflict", "The server holds as many games as it can; try again later");
  }

  function isReading(room: GameRoom, userId: string): boolean {
    return presence.list(gameTopic(room.id)).some((reader) => reader.id === userId);
  }

  /** A player just seated: connected if already reading the topic, else their grace period starts now. */
  function watchSeat(live: LiveGame, entry: SeatEntry) {
    if (!entry.user) return;
    entry.connected = isReading(live.room, entry.user.id);
    if (!entry.connected) away.start(live.room.id, entry.seat, entry.user.id);
  }

  /** A new game's lease (several instances): its fencing token. */
  async function claim(gameId: string): Promise<number | null> {
    if (!cluster) return null;
    const token = await cluster.acquire(gameId);
    if (token === null) throw new ProtocolError("conflict", "That game id is taken; try again");
    return token;
  }

  function register(room: GameRoom, fence: number | null): LiveGame {
    const live: LiveGame = { room, chain: Promise.resolve(), loop: null, release: null, expiry: null, closed: false, fence, tickState: null };
    games.set(room.id, live);
    live.expiry = setTimeout(() => void closeAndLog(live, "idle"), limits.waitingIdleMs);
    live.expiry.unref();
    for (const entry of room.seats) watchSeat(live, entry);
    return live;
  }

  /** A waiting game changed: its idle time starts again. */
  function touched(live: LiveGame) {
    live.expiry?.refresh();
  }

  // -------------------------------------------------------------------------
  // Leaving and closing

  async function removeFromGame(live: LiveGame, entry: SeatEntry): Promise<void> {
    const { room } = live;
    away.cancel(room.id, entry.seat);
    if (room.status === "waiting") {
      unseat(room, entry.seat);
      const next = activeHumans(room)[0];
      if (!next?.user) return close(live, "no human left");
      if (room.host.id === entry.user?.id) room.host = next.user;
      touched(live);
    } else {
      entry.left = true;
      // The cycle is out at the next tick; a game left with no human ends there (see runTick).
      if (room.status === "playing") room.match?.leaving.add(entry.seat);
      else if (activeHumans(room).length === 0) return close(live, "no human left");
    }
    await announce(live);
  }

  async function closeAndLog(live: LiveGame, why: string) {
    try {
      await close(live, why);
    } catch (error) {
      log.error({ err: error, gameId: live.room.id }, "could not close a game");
    }
  }

  /** Stops everything the game holds (loop, timers), forgets it, and ends its topic for whoever reads it. */
  function stopGame(live: LiveGame) {
    live.closed = true;
    live.release?.();
    live.release = null;
    live.loop = null;
    if (live.expiry) clearTimeout(live.expiry);
    live.expiry = null;
    away.cancelGame(live.room.id);
    games.delete(live.room.id);
  }

  async function close(live: LiveGame, why: string): Promise<void> {
    if (live.closed) return;
    stopGame(live);
    const topic = gameTopic(live.room.id);
    if (cluster && live.fence !== null) {
      // After the game's last event: its keys go, and with them the read rule's yes on every instance.
      const fence = live.fence;
      await live.chain;
      await cluster.forget(live.room.id, fence).catch((error: unknown) => log.warn({ err: error, gameId: live.room.id }, "could not delete a closed game's keys (they expire)"));
    }
    // The read rule refuses the topic from now on; open streams drop it at once.
    const reading = cluster ? await presence.listAll(topic).catch(() => presence.list(topic)) : presence.list(topic);
    const readers = new Set([...reading.map((user) => user.id), ...live.room.seats.flatMap((entry) => (entry.user ? [entry.user.id] : []))]);
    for (const userId of readers) deps.revokeRead(userId, topic);
    log.debug({ gameId: live.room.id, why }, "game closed");
    await publishLobby(GAME_EVENTS.lobbyRemoved, { gameId: live.room.id });
  }

  // -------------------------------------------------------------------------
  // The match

  async function startMatch(live: LiveGame) {
    const { room } = live;
    const state = createMatch(matchConfigOf(room, newSeed()));
    room.status = "playing";
    room.match = { state, startedAt: new Date(), log: new InputLog(), leaving: new Set(), published: null };
    live.tickState = state;
    if (live.expiry) clearTimeout(live.expiry);
    live.expiry = null;
    await announce(live);
    await publishSnapshot(live);
    await startLoop(live);
  }

  async function startLoop(live: LiveGame) {
    const { room } = live;
    if (live.closed) return;
    live.release = await deps.ownership.own(room.id, () => {
      live.loop = startTickLoop({
        periodMs: tickMsFor(room.settings.tickHz),
        step: () => runTick(live),
        onLateness: (ms) => metrics.observeLateness(ms),
        onError: (error) => {
          // Refused as stale: another instance runs the game now (see lost).
          if (error instanceof StaleFenceError) return;
          if (cluster && live.fence !== null) {
            // Redis failed us: stop here and free the lease; whichever instance takes it (this one too) goes on from the record.
            log.warn({ err: error, gameId: room.id }, "a game tick could not be published: the game is handed to the next owner");
            const fence = live.fence;
            lost(live, "a tick could not be published");
            cluster.handOff(room.id, fence).catch(() => {
              // Unreachable: the lease expires on its own.
            });
            return;
          }
          log.error({ err: error, gameId: room.id }, "a game tick failed: the game is closed");
          void closeAndLog(live, "tick failed");
        },
      });
      return live.loop;
    });
    // Closed while ownership was being taken (everyone left at once): stop what just started.
    if (live.closed) {
      live.release();
      live.release = null;
      live.loop = null;
    }
  }

  /** One tick: step, publish the delta (and a snapshot when due), end the game when it is over. False stops the loop. */
  async function runTick(live: LiveGame): Promise<boolean> {
    const run = live.room.match;
    if (live.closed || !run) return false;
    const outcome = stepRoom(live.room, run);
    const state = run.state;
    const payload = live.fence === null ? outcome.payload : { ...outcome.payload, fence: live.fence };
    const inputs = cluster ? InputLog.pack(logEntriesOf(outcome.payload.delta)) : undefined;
    const event = await publishGame(live, GAME_EVENTS.tick, payload, inputs);
    run.published = { snapshot: { state, acks: outcome.payload.acks }, position: { epoch: event.epoch, offset: event.offset } };
    if (outcome.snapshot) await publishSnapshot(live);
    if (state.phase === "gameOver") {
      await finish(live, false);
      return false;
    }
    if (activeHumans(live.room).length === 0) {
      await finish(live, true);
      return false;
    }
    return !live.closed;
  }

  /** The match ended: one write of the result (not when abandoned), game.over, then linger for a rematch. */
  async function finish(live: LiveGame, abandoned: boolean) {
    const { room } = live;
    const run = room.match;
    if (!run) return;
    live.release?.();
    live.release = null;
    live.loop = null;
    room.status = "finished";
    const final = run.state;
    if (!abandoned) {
      const record = resultRecord(room, final, run.startedAt, run.log.entries());
      const finishedAt = new Date();
      try {
        await saveGameResult(db.prisma, record);
        room.result = resultToWire(record, room, finishedAt);
      } catch (error) {
        log.error({ err: error, gameId: room.id }, "could not store a finished game");
      }
    }
    const hash = stateHash(final);
    await publishGame(live, GAME_EVENTS.over, { scores: final.scores, winner: abandoned ? null : final.winner, tick: final.tick, stateHash: hash, abandoned });
    if (abandoned || activeHumans(room).length === 0) return close(live, abandoned ? "abandoned" : "no human left");
    live.expiry = setTimeout(() => void closeAndLog(live, "finished"), limits.finishedLingerMs);
    live.expiry.unref();
    await announce(live);
  }

  // -------------------------------------------------------------------------
  // Commands

  async function settingsOf(payload: CommandPayloadOf<"game.create">): Promise<GameSettings> {
    return {
      maxSeats: payload.maxSeats ?? DEFAULT_SEATS,
      tickHz: payload.tickHz ?? (await deps.defaultTickHz()),
      roundsToWin: payload.roundsToWin ?? GAME_LIMITS.roundsToWinDefault,
      width: GAME_LIMITS.width,
      height: GAME_LIMITS.height,
    };
  }

  async function join(live: LiveGame, user: User, preferred?: Seat): Promise<GameSummary> {
    if (seatOf(live.room, user.id)) return summaryOf(live.room);
    waitingOrThrow(live);
    await roomForOneMore(user);
    const seat = freeSeat(live.room, preferred);
    if (seat === null) throw new ProtocolError("conflict", "The game is full");
    watchSeat(live, seatHuman(live.room, user, seat));
    touched(live);
    return announce(live);
  }

  /** A seated player started or stopped reading the game: their grace period ends or starts, and everyone is told. */
  function setConnected(live: LiveGame, entry: SeatEntry, present: boolean) {
    if (!entry.user || entry.connected === present) return;
    entry.connected = present;
    if (present) away.cancel(live.room.id, entry.seat);
    else away.start(live.room.id, entry.seat, entry.user.id);
    announce(live).catch((error: unknown) => log.error({ err: error, gameId: live.room.id }, "could not publish a connection change"));
  }

  // -------------------------------------------------------------------------
  // Several instances

  /** Takes over a game whose owner died: from its record, where its last event left it; a playing game's loop goes on. */
  async function adopt(gameId: string, fence: number): Promise<void> {
    if (!cluster) return;
    const loaded = await cluster.load(gameId, true);
    if (!loaded || games.has(gameId)) {
      if (!loaded) await cluster.forget(gameId, fence);
      return;
    }
    const room = roomFrom(loaded.record, loaded.log);
    const live: LiveGame = { room, chain: Promise.resolve(), loop: null, release: null, expiry: null, closed: false, fence, tickState: room.match?.state ?? null };
    games.set(gameId, live);
    if (room.match) room.match.published = { snapshot: { state: room.match.state, acks: acksOf(room) }, position: loaded.position };
    for (const entry of room.seats) if (entry.user && !entry.left && !entry.connected) away.start(gameId, entry.seat, entry.user.id);
    log.info({ gameId, fence, status: room.status, tick: room.match?.state.tick ?? null }, "took over a game whose owner stopped renewing its lease");
    if (room.status === "waiting") live.expiry = setTimeout(() => void closeAndLog(live, "idle"), limits.waitingIdleMs);
    if (room.status === "finished") live.expiry = setTimeout(() => void closeAndLog(live, "finished"), limits.finishedLingerMs);
    live.expiry?.unref();
    if (room.status !== "playing") return;
    // The state as it stands, for whoever lost track; then the ticks go on from the next number.
    await publishSnapshot(live);
    await startLoop(live);
  }

  /** Every renewEveryMs: this instance's leases; a lease lost means another instance has the game. */
  async function renewLeases() {
    if (!cluster) return;
    await Promise.all(
      [...games.values()].map(async (live) => {
        if (live.fence === null) return;
        const held = await cluster.renew(live.room.id, live.fence).catch(() => true); // Redis unreachable: the fence decides
        if (!held) lost(live, "its lease was taken");
      }),
    );
  }

  /** Every scanEveryMs: games whose owner stopped renewing are taken over (while this instance has room). */
  async function takeOver() {
    if (!cluster) return;
    for (const gameId of await cluster.due()) {
      if (games.has(gameId) || games.size >= limits.maxGames) continue;
      const fence = await cluster.acquire(gameId);
      if (fence !== null) await adopt(gameId, fence);
    }
  }

  /** Presence on several instances: a player reading through another instance counts (its changes are not heard here). */
  async function reconcilePresence() {
    for (const live of [...games.values()]) {
      const humans = live.room.seats.filter((entry) => entry.user && !entry.left);
      if (humans.length === 0) continue;
      const reading = new Set((await presence.listAll(gameTopic(live.room.id))).map((user) => user.id));
      for (const entry of humans) if (games.get(live.room.id) === live) setConnected(live, entry, reading.has(entry.user!.id));
    }
  }

  /** A cluster job every `ms`; while Redis is down it fails each beat, so it is logged once per 10 s at most. */
  function every(ms: number, job: () => Promise<void>, what: string): NodeJS.Timeout {
    let loggedAt = -Infinity;
    return repeat(ms, job, (error) => {
      if (Date.now() - loggedAt < 10_000) return;
      loggedAt = Date.now();
      log.warn({ err: error }, `game cluster: ${what} failed`);
    });
  }

  /** A command for a game held elsewhere: to its owner, whose answer is the answer. */
  async function forward(gameId: string, user: User, command: GameCommand): Promise<unknown> {
    if (!cluster) throw new ProtocolError("not_found", "No such game");
    const owner = await cluster.ownerOf(gameId);
    if (owner === null || owner === cluster.instanceId) {
      if (!(await cluster.exists(gameId))) throw new ProtocolError("not_found", "No such game");
      throw new ProtocolError("unavailable", "The game is moving to another instance; try again");
    }
    return cluster.call(owner, user, command);
  }

  return {
    /** Topic read rule for `game:<id>`: the lobby, and every game this instance holds (several instances: any instance). */
    canRead(_user: User, id: string): boolean | Promise<boolean> {
      if (id === GAME_LOBBY_TOPIC_ID || games.has(id)) return true;
      return cluster ? cluster.exists(id) : false;
    },

    /** The id of the game a command names (null: game.create). */
    gameIdOf(command: GameCommand): string | null {
      return "gameId" in command.payload ? command.payload.gameId : null;
    },

    /** Whether the game's commands run here: always on one instance; on several, when this one holds it (else they are forwarded). */
    runsHere: (gameId: string) => !cluster || games.has(gameId),

    forward,

    /** Follows presence on game topics: seated players away start their grace period, coming back ends it. */
    trackPresence(): () => void {
      presence.track("game");
      return presence.onChange(({ topic, user, present }) => {
        if (topicKind(topic) !== "game") return;
        const live = games.get(topicId(topic));
        const entry = live ? seatOf(live.room, user.id) : undefined;
        if (live && entry) setConnected(live, entry, present);
      });
    },

    /** Several instances: renews this instance's leases, takes over games whose owner died, follows everyone's presence. */
    startCluster(): () => void {
      if (!cluster) return () => {};
      const { timings } = cluster;
      const timers = [
        every(timings.renewEveryMs, renewLeases, "renewing leases"),
        every(timings.scanEveryMs, takeOver, "taking over games"),
        every(Math.max(250, timings.renewEveryMs * 2), reconcilePresence, "following presence"),
      ];
      return () => {
        for (const timer of timers) clearInterval(timer);
      };
    },

    async create(user: User, payload: CommandPayloadOf<"game.create">): Promise<CommandResultOf<"game.create">> {
      // The flag first, then the checks: nothing can take the last place between them and register.
      const settings = await settingsOf(payload);
      await roomForOneMore(user);
      roomForOneMoreGame();
      const gameId = newGameId();
      const fence = await claim(gameId);
      // Again after the lease's round trip (several instances). Refused here, the unused lease expires and its scan drops it.
      roomForOneMoreGame();
      const live = register(createRoom(gameId, user, settings, new Date()), fence);
      return { game: await announce(live) };
    },

    async join(user: User, gameId: string): Promise<CommandResultOf<"game.join">> {
      return { game: await join(liveGame(gameId), user) };
    },

    async leave(user: User, gameId: string): Promise<CommandResultOf<"game.leave">> {
      const live = liveGame(gameId);
      const entry = seatOf(live.room, user.id);
      // Leaving a game one is not in changes nothing (a retried leave).
      if (entry) await removeFromGame(live, entry);
      return { gameId };
    },

    async ready(user: User, gameId: string, ready: boolean): Promise<CommandResultOf<"game.ready">> {
      const live = liveGame(gameId);
      const entry = seatedOrThrow(live, user);
      waitingOrThrow(live);
      entry.ready = ready;
      touched(live);
      return { game: await announce(live) };
    },

    async addBot(user: User, gameId: string): Promise<CommandResultOf<"game.addBot">> {
      const live = liveGame(gameId);
      hostOrThrow(live, user);
      waitingOrThrow(live);
      const seat = freeSeat(live.room);
      if (seat === null) throw new ProtocolError("conflict", "The game is full");
      seatBot(live.room, seat);
      touched(live);
      return { game: await announce(live) };
    },

    async start(user: User, gameId: string): Promise<CommandResultOf<"game.start">> {
      const live = liveGame(gameId);
      hostOrThrow(live, user);
      waitingOrThrow(live);
      const { room } = live;
      if (room.seats.length < GAME_LIMITS.minSeats) throw new ProtocolError("conflict", "A game needs at least two players: invite someone or add a bot");
      if (room.seats.some((entry) => entry.kind === "human" && entry.user?.id !== room.host.id && !entry.ready)) {
        throw new ProtocolError("conflict", "Not every player is ready");
      }
      await startMatch(live);
      return { game: summaryOf(room) };
    },

    async input(user: User, payload: CommandPayloadOf<"game.input">): Promise<CommandResultOf<"game.input">> {
      const live = games.get(payload.gameId);
      if (!live) {
        metrics.countInput("not_found");
        throw new ProtocolError("not_found", "No such game");
      }
      const entry = seatOf(live.room, user.id);
      if (!entry) {
        metrics.countInput("forbidden");
        throw new ProtocolError("forbidden", "You have no seat in this game: you can only steer your own cycle");
      }
      const run = live.room.match;
      const cycle = run?.state.cycles.find((c) => c.seat === entry.seat);
      if (live.room.status !== "playing" || !run || !cycle || run.state.phase === "gameOver") {
        metrics.countInput("conflict");
        throw new ProtocolError("conflict", "The game is not being played");
      }
      const offer = offerInput(
        entry.queue,
        { seq: payload.seq, action: { type: "turn", dir: payload.dir }, forTick: payload.forTick },
        { nextTick: run.state.tick + 1, currentDir: cycle.dir },
      );
      entry.queue = offer.queue;
      if (offer.ok) {
        metrics.countInput(offer.late ? "late" : "queued");
        return { seq: payload.seq, duplicate: false, late: offer.late };
      }
      switch (offer.reason) {
        case "duplicate":
          metrics.countInput("duplicate");
          return { seq: payload.seq, duplicate: true, late: false };
        case "illegal":
          metrics.countInput("illegal");
          throw new ProtocolError("validation", "That turn is not allowed", {
            issues: [{ path: ["payload", "dir"], message: "A cycle cannot reverse or turn to the way it already goes" }],
          });
        case "rate_limited":
        case "full":
          metrics.countInput("rate_limited");
          throw new ProtocolError("rate_limited", "Too many inputs for this tick", { retryAfter: tickMsFor(run.state.config.tickHz) / 1000 });
      }
    },

    async rematch(user: User, gameId: string): Promise<CommandResultOf<"game.rematch">> {
      const live = liveGame(gameId);
      const { room } = live;
      if (room.status !== "finished") throw new ProtocolError("conflict", "The game is not over");
      const old = room.seats.find((entry) => entry.kind === "human" && entry.user?.id === user.id);
      if (!old) throw new ProtocolError("forbidden", "Only the game's players may ask for a rematch");
      const next = room.rematchId ? games.get(room.rematchId) : undefined;
      if (next) return { game: await join(next, user, old.seat) };
      // Several instances: the rematch is held elsewhere now (taken over): joined there.
      if (room.rematchId && cluster && (await cluster.exists(room.rematchId))) {
        const rematchId = room.rematchId;
        return (await forward(rematchId, user, { id: randomUUID(), type: "game.join", payload: { gameId: rematchId } })) as CommandResultOf<"game.rematch">;
      }
      await roomForOneMore(user);
      roomForOneMoreGame();
      const freshId = newGameId();
      const fence = await claim(freshId);
      const fresh = createRoom(freshId, user, room.settings, new Date(), old.seat);
      for (const entry of room.seats) if (entry.kind === "bot") seatBot(fresh, entry.seat);
      const created = register(fresh, fence);
      room.rematchId = fresh.id;
      const [game] = await Promise.all([announce(created), announce(live)]);
      return { game };
    },

    async invite(user: User, gameId: string, userId: string): Promise<CommandResultOf<"game.invite">> {
      const live = liveGame(gameId);
      seatedOrThrow(live, user);
      waitingOrThrow(live);
      if (userId === user.id) {
        throw new ProtocolError("validation", "You cannot invite yourself", { issues: [{ path: ["payload", "userId"], message: "That is you" }] });
      }
      if (!(await findUser(db.prisma, userId))) throw new ProtocolError("not_found", "No such user");
      await deps.events.emit("game.invited", { gameId, userId, from: { id: user.id, name: user.name } });
      return { gameId, userId };
    },

    // -----------------------------------------------------------------------
    // Reads

    async lobby(): Promise<GameLobbyResponse> {
      // The position first: a change after it arrives as an event (a listed game may come twice; replace by id).
      const head = await hub.head(GAME_LOBBY_TOPIC);
      const order = { waiting: 0, playing: 1, finished: 2 } as const;
      const listed = new Map<string, GameSummary>();
      // Several instances: every instance's games, from their records; this instance's own as they are now.
      if (cluster) for (const game of await cluster.summaries()) listed.set(game.id, game);
      for (const live of games.values()) listed.set(live.room.id, summaryOf(live.room));
      const summaries = [...listed.values()];
      summaries.sort((a, b) => order[a.status] - order[b.status] || Date.parse(a.createdAt) - Date.parse(b.createdAt));
      return { games: summaries, position: { epoch: head.epoch, offset: head.offset } };
    },

    async game(gameId: string): Promise<GameResponse> {
      const stored = !games.has(gameId) && cluster ? await cluster.load(gameId, false) : null;
      if (stored) {
        // Held by another instance: its last record, which stands at the position it was written with.
        const room = roomFrom(stored.record, []);
        return {
          game: summaryOf(room),
          snapshot: room.match ? { state: room.match.state, acks: acksOf(room) } : null,
          position: stored.position,
          result: room.result,
        };
      }
      const live = liveGame(gameId);
      const published = live.room.match?.published;
      const position = published?.position ?? (await hub.head(gameTopic(gameId)));
      return {
        game: summaryOf(live.room),
        snapshot: published?.snapshot ?? null,
        position: { epoch: position.epoch, offset: position.offset },
        result: live.room.result,
      };
    },

    async leaderboard(limit: number): Promise<LeaderboardResponse> {
      return { entries: await leaderboard(db.prisma, limit) };
    },

    async replay(gameId: string): Promise<GameReplayResponse> {
      const stored = await findGameResult(db.prisma, gameId);
      if (!stored) throw new ProtocolError("not_found", "No finished game with that id");
      return storedToReplay(stored);
    },

    stats,

    /**
     * The server is closing: every loop and timer stops (nothing is published: the hub is closing too).
     * Several instances: each game's lease is freed, so another instance takes it over at once.
     */
    close() {
      for (const live of [...games.values()]) {
        stopGame(live);
        if (cluster && live.fence !== null) {
          cluster.handOff(live.room.id, live.fence).catch((error: unknown) => log.warn({ err: error, gameId: live.room.id }, "could not hand a game off"));
        }
      }
      away.clear();
      cluster?.close();
    },
  };
}

export type GameService = ReturnType<typeof createGameService>;
