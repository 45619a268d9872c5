// One game, live, as a player or a spectator: reads GET /v1/games/:id (the game, the match's
// state now and the topic position it stands at), follows game:<id> from that position and
// applies what arrives: seating changes, snapshots, one delta per tick (re-run with @repo/game,
// so this tab holds the server's exact state), the end. A tick that does not follow, or a reset,
// refetches the snapshot; what arrives meanwhile is replayed on top of it. Steers my cycle with
// `game.input` and measures what the transport costs in play (the readout).
// Framework-free; React reads it through `subscribe` / `getSnapshot` (useSyncExternalStore), the
// board through `frame` (every animation frame).
import { ProtocolError, failureText, type RealtimeClient } from "@repo/client";
import { isLegalTurn, stateHash, type Direction, type MatchState, type Seat } from "@repo/game";
import {
  GAME_EVENTS,
  GameEvent,
  GameResponse,
  gamePaths,
  gameTopic,
  type EventEnvelope,
  type GameId,
  type GameOverPayload,
  type GameResult,
  type GameSummary,
  type Position,
  type SeatAcks,
  type User,
} from "@repo/protocol";
import type { ActionResult, GameViewPhase, GameViewSnapshot, MatchSummary, PlayReadout, SyncCheck } from "./game-view-snapshot";
import { LiveStore } from "@/lib/live-store";
import { InputTracker } from "./input-tracker";
import { MatchFeed, type FeedOutcome } from "./match-feed";
import { matchSummaryOf, summaryKey } from "./match-summary";
import { PlayMeter } from "./play-meter";
import type { RenderFrame } from "./tick-timeline";

/** After a failed refetch, or one that still left a gap, try again after these delays (the last one repeats). */
const REFETCH_RETRY_MS = [250, 1000, 2000, 5000] as const;
/** Events held while a refetch is out; beyond this the oldest go (the refetch then simply repeats). */
const JOURNAL_MAX = 5000;

/** An event that arrived while a refetch was out: replayed on top of the snapshot it brings. */
interface Journaled {
  position: Position;
  event: GameEvent;
  arrivalMs: number;
}

export type RematchResult = { ok: true; gameId: GameId } | { ok: false; message: string };

export class GameView extends LiveStore<GameViewSnapshot> {
  private phase: GameViewPhase = "loading";
  private error: string | null = null;
  private game: GameSummary | null = null;
  private over: GameOverPayload | null = null;
  private result: GameResult | null = null;
  private sync: SyncCheck = null;
  private closed = false;
  private missing = false;
  private match: MatchSummary | null = null;
  private matchKey = "";

  private readonly feed = new MatchFeed();
  private readonly inputs = new InputTracker();
  private readonly meter = new PlayMeter();
  private lateMine = 0;
  private lateAll = 0;
  private refetches = 0;

  private unsubscribe: (() => void) | null = null;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** While a refetch is out: what arrived meanwhile. Null when none is. */
  private journal: Journaled[] | null = null;
  private refetchAgain = false;

  constructor(
    private readonly client: RealtimeClient,
    readonly gameId: GameId,
    readonly me: User,
    /** The clock for arrivals and frames, ms (a test passes its own). */
    private readonly now: () => number = () => performance.now(),
  ) {
    super();
  }

  // ---- React binding ---------------------------------------------------------------------

  protected snapshotNow(): GameViewSnapshot {
    return {
      phase: this.phase,
      error: this.error,
      game: this.game,
      mySeat: this.mySeat,
      match: this.match,
      over: this.over,
      result: this.result,
      sync: this.sync,
      closed: this.closed,
      missing: this.missing,
    };
  }

  /** My seat in the game (null: I watch). */
  get mySeat(): Seat | null {
    return this.game?.seats.find((seat) => seat.user?.id === this.me.id)?.seat ?? null;
  }

  /** The newest state this tab holds (tests, and the sync check). */
  get latest(): MatchState | null {
    return this.feed.latest;
  }

  // ---- lifecycle -------------------------------------------------------------------------

  /** stop(): the topic, the timers and any refetch let go. */
  protected release(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.journal = null;
    this.refetchAgain = false;
  }

  protected async open(generation: number): Promise<void> {
    this.phase = "loading";
    this.error = null;
    this.changed();
    let page: GameResponse;
    try {
      page = await this.client.get(gamePaths.game(this.gameId), GameResponse);
    } catch (error) {
      if (!this.live(generation)) return;
      this.missing = error instanceof ProtocolError && error.code === "not_found";
      this.fail(failureText(error));
      return;
    }
    if (!this.live(generation)) return;
    this.takePage(page);
    // From the position the state was read at: exactly the ticks after it arrive.
    this.unsubscribe = this.client.subscribe(gameTopic(this.gameId), (envelope) => this.onEnvelope(envelope, generation), {
      cursor: page.position,
      onReset: () => this.refetch(generation),
      onError: (error) => {
        if (!this.live(generation)) return;
        this.unsubscribe = null;
        // A finished game is closed after a while: its topic goes, what was shown stays.
        if (this.game?.status === "finished" || this.over) {
          this.closed = true;
          this.changed();
        } else {
          this.fail(failureText(error));
        }
      },
    });
    this.phase = "ready";
    this.changed();
  }

  private fail(message: string): void {
    this.phase = "error";
    this.error = message;
    this.changed();
  }

  private takePage(page: GameResponse): void {
    this.game = page.game;
    this.result = page.result ?? this.result;
    if (page.snapshot) {
      this.feed.snapshot(page.snapshot.state, this.now());
      this.takeAcks(page.snapshot.acks, page.snapshot.state.tick);
    }
    this.afterState();
    this.invalidate();
  }

  // ---- refetching after a gap or a reset -----------------------------------------------------

  private refetch(generation: number, first?: Journaled): void {
    if (!this.live(generation)) return;
    if (this.journal) {
      this.refetchAgain = true;
      return;
    }
    this.journal = first ? [first] : [];
    void this.refetchUntilDone(generation);
  }

  private async refetchUntilDone(generation: number): Promise<void> {
    for (let failures = 0; ; ) {
      this.refetchAgain = false;
      this.refetches++;
      try {
        const page = await this.client.get(gamePaths.game(this.gameId), GameResponse);
        if (!this.live(generation)) return;
        const journal = this.journal ?? [];
        this.journal = null;
        this.takePage(page);
        let gap = false;
        for (const entry of journal) {
          // Seating and the end are in the page up to its position; ticks order themselves by tick.
          const byPosition = entry.event.type === GAME_EVENTS.seats || entry.event.type === GAME_EVENTS.over;
          if (byPosition && !after(entry.position, page.position)) continue;
          if (this.apply(entry.event, entry.arrivalMs) === "gap") gap = true;
        }
        this.changed();
        if (!gap && !this.refetchAgain) return;
        this.journal = [];
      } catch {
        if (!this.live(generation)) return;
      }
      const delay = REFETCH_RETRY_MS[Math.min(failures++, REFETCH_RETRY_MS.length - 1)]!;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          resolve();
        }, delay);
        this.timers.add(timer);
      });
      if (!this.live(generation)) return;
    }
  }

  // ---- what the topic delivers -----------------------------------------------------------

  private onEnvelope(envelope: EventEnvelope, generation: number): void {
    const arrivalMs = this.now();
    const parsed = GameEvent.safeParse({ type: envelope.type, payload: envelope.payload });
    if (!parsed.success) return; // not a game event (or not one this version knows)
    const event = parsed.data;
    if (event.type === GAME_EVENTS.tick || event.type === GAME_EVENTS.snapshot) this.meter.stateArrived(arrivalMs);
    const entry: Journaled = { position: { epoch: envelope.epoch, offset: envelope.offset }, event, arrivalMs };
    if (this.journal) {
      this.journal.push(entry);
      if (this.journal.length > JOURNAL_MAX) this.journal.shift();
      return;
    }
    // A tick that does not follow: refetch, and replay it (and what comes next) on the snapshot.
    if (this.apply(event, arrivalMs) === "gap") this.refetch(generation, entry);
  }

  /** One case per game event type: a type added to the protocol fails to compile until handled here. */
  private apply(event: GameEvent, arrivalMs: number): FeedOutcome {
    switch (event.type) {
      case GAME_EVENTS.lobbyUpdated:
      case GAME_EVENTS.lobbyRemoved:
        return "stale"; // the lobby's, not a game's
      case GAME_EVENTS.seats:
        if (event.payload.game.id !== this.gameId) return "stale";
        this.game = event.payload.game;
        this.changed();
        return "applied";
      case GAME_EVENTS.snapshot: {
        const { state, acks } = event.payload;
        const outcome = this.feed.snapshot(state, arrivalMs);
        if (outcome === "applied") {
          this.takeAcks(acks, state.tick);
          this.afterState();
        }
        return outcome;
      }
      case GAME_EVENTS.tick: {
        const { delta, acks, late } = event.payload;
        const round = this.feed.latest?.round;
        const outcome = this.feed.tick(delta, arrivalMs);
        if (outcome === "applied") {
          // The service drops queued turns when a round begins, and acks them: not an effect drawn.
          if (this.feed.latest?.round !== round) this.inputs.dropWaiting();
          this.takeAcks(acks, delta.tick);
          this.lateAll += late.length;
          const mine = this.mySeat;
          if (mine !== null && late.includes(mine)) this.lateMine++;
          this.afterState();
        }
        return outcome;
      }
      case GAME_EVENTS.over:
        this.over = event.payload;
        this.checkSync();
        this.changed();
        return "applied";
      default: {
        const unhandled: never = event;
        return unhandled;
      }
    }
  }

  private takeAcks(acks: SeatAcks, tick: number): void {
    const mine = this.mySeat;
    if (mine === null) return;
    const acked = acks[String(mine)];
    if (acked !== undefined) this.inputs.acked(acked, tick);
  }

  /** The match summary React shows changed only a few times a round: tell it only then. */
  private afterState(): void {
    const state = this.feed.latest;
    if (state) {
      const summary = matchSummaryOf(state);
      const key = summaryKey(summary);
      if (key !== this.matchKey) {
        this.matchKey = key;
        this.match = summary;
        this.changed();
      }
    }
    this.checkSync();
  }

  /** Once the game is over and this tab holds the state at its last tick: does it hash like the server's? */
  private checkSync(): void {
    if (!this.over || this.sync) return;
    const state = this.feed.timeline?.at(this.over.tick);
    if (!state) return;
    const hash = stateHash(state);
    this.sync = { tick: this.over.tick, hash, serverHash: this.over.stateHash, inSync: hash === this.over.stateHash };
    this.changed();
  }

  // ---- the board and the readout -----------------------------------------------------------

  /** What to draw now; also marks my inputs whose effect it shows (input-to-render latency). */
  frame(nowMs: number = this.now()): RenderFrame | null {
    const frame = this.feed.timeline?.frame(nowMs) ?? null;
    if (!frame) return null;
    // An input applied at tick T shows as soon as the board moves from T - 1 towards T.
    this.inputs.drawn(frame.alpha > 0 ? frame.from.tick + 1 : frame.from.tick, nowMs);
    const pendingTurn = this.pendingTurn(frame.from);
    return pendingTurn ? { ...frame, pendingTurn } : frame;
  }

  /**
   * Where my cycle will head once my turns not drawn yet take effect, when that is not where the
   * drawn state has it heading: feedback at once that the turn was taken, while the state that
   * applies it is still on its way (the board itself only ever shows the server's states).
   */
  private pendingTurn(drawn: MatchState): { seat: Seat; dir: Direction } | null {
    const mine = this.mySeat;
    const cycle = mine === null ? undefined : drawn.cycles.find((c) => c.seat === mine);
    if (mine === null || !cycle?.alive) return null;
    const dir = this.inputs.directionAfterUndrawn(cycle.dir);
    return dir === cycle.dir ? null : { seat: mine, dir };
  }

  readout(nowMs: number = this.now()): PlayReadout {
    const metrics = this.client.metrics();
    this.meter.sample(nowMs, metrics);
    const timeline = this.feed.timeline;
    return {
      transport: metrics.transport,
      tickHz: this.feed.latest?.config.tickHz ?? null,
      rates: this.meter.rates(nowMs),
      latency: this.inputs.latency(),
      renderDelayMs: timeline ? timeline.delayMs : null,
      jitterMs: timeline ? timeline.jitterMs : null,
      inputs: { sent: this.inputs.sent, late: this.lateMine, refused: this.inputs.refused },
      lateAll: this.lateAll,
      desyncs: this.feed.desyncs,
      refetches: this.refetches,
    };
  }

  // ---- actions ---------------------------------------------------------------------------

  /**
   * Steers my cycle. Sent only when it can matter: I play, my cycle is alive, and the turn is
   * legal after the turns I have waiting. Whether the service's queue has room is the
   * service's to say (a refusal is counted): on a slow transport the acks that would tell come
   * late, and holding turns back for them would add that lag again.
   */
  steer = (dir: Direction): void => this.sendTurn(dir, true);

  private sendTurn(dir: Direction, retryDuplicate: boolean): void {
    const mine = this.mySeat;
    const state = this.feed.latest;
    if (mine === null || !state || this.over || this.game?.status !== "playing") return;
    if (state.phase !== "playing" && state.phase !== "countdown") return;
    const cycle = state.cycles.find((c) => c.seat === mine);
    if (!cycle?.alive) return;
    if (!isLegalTurn(this.inputs.directionAfterWaiting(cycle.dir), dir)) return;
    const seq = this.inputs.record(dir, this.now());
    const generation = this.generation;
    this.client.send({ type: "game.input", payload: { gameId: this.gameId, seq, dir, forTick: state.tick + 1 } }).then(
      (answer) => {
        if (!answer.duplicate) return;
        // That seq was taken already (before a reload, or by another tab): move past it and send again.
        this.inputs.refusedInput(seq);
        this.inputs.skipPast(seq);
        if (retryDuplicate && this.live(generation)) this.sendTurn(dir, false);
      },
      () => this.inputs.refusedInput(seq),
    );
  }

  join = (): Promise<ActionResult> => this.act(() => this.client.send({ type: "game.join", payload: { gameId: this.gameId } }));

  leave = (): Promise<ActionResult> => this.act(() => this.client.send({ type: "game.leave", payload: { gameId: this.gameId } }));

  setReady = (ready: boolean): Promise<ActionResult> =>
    this.act(() => this.client.send({ type: "game.ready", payload: { gameId: this.gameId, ready } }));

  addBot = (): Promise<ActionResult> => this.act(() => this.client.send({ type: "game.addBot", payload: { gameId: this.gameId } }));

  startMatch = (): Promise<ActionResult> => this.act(() => this.client.send({ type: "game.start", payload: { gameId: this.gameId } }));

  /** The rematch: a new game with the same settings (made by the first to ask, joined by the others). */
  rematch = async (): Promise<RematchResult> => {
    try {
      const { game } = await this.client.send({ type: "game.rematch", payload: { gameId: this.gameId } });
      return { ok: true, gameId: game.id };
    } catch (error) {
      return { ok: false, message: failureText(error) };
    }
  };

  /** Runs a command. Its effect shows when its `game.seats` event arrives, on every tab alike. */
  private async act(run: () => Promise<unknown>): Promise<ActionResult> {
    try {
      await run();
      return { ok: true };
    } catch (error) {
      return { ok: false, message: failureText(error) };
    }
  }
}

/** Whether `position` comes after `page` in the same log. */
function after(position: Position, page: Position): boolean {
  return position.epoch === page.epoch && position.offset > page.offset;
}
