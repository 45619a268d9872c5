import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { applyDelta, stateHash, TickGapError, tickMsFor, type Direction, type MatchState, type Seat } from "@repo/game";
import { GameEvent, type GameOverPayload, type GameTickPayload } from "@repo/protocol";
import { chooseTurn } from "./strategy";
import type { PlayerTally } from "./tally";

/** What a follower needs from its client: sending its turns and reading the state now. */
export interface FollowerLink {
  /** Resolves with the server's answer; rejects with an Error whose `code` (if any) is the protocol's error code. */
  sendInput(input: { seq: number; dir: Direction; forTick: number }): Promise<{ late: boolean; duplicate: boolean }>;
  /** The state the server holds now (GET /v1/games/:id), or null before the match. */
  fetchState(): Promise<MatchState | null>;
}

export interface FollowerOptions {
  /** The seat this client steers (null: it only watches). */
  seat: Seat | null;
  /** Send turns (chooseTurn) while playing. */
  play: boolean;
  turnEveryTicks: number;
}

interface PendingInput {
  seq: number;
  sentAt: number;
  round: number;
  /** Sent while the window was open: its latency is a sample. */
  sampled: boolean;
}

/** An input with neither an answer nor its tick this long after sending is counted as dropped. */
const INPUT_TIMEOUT_MS = 10_000;
/** States kept by tick for the final check (a few seconds at 15 Hz: a client is never further ahead of a GET). */
const KEPT_STATES = 64;

const errorCode = (error: unknown) => (error !== null && typeof error === "object" && "code" in error && typeof error.code === "string" ? error.code : "no_answer");

/**
 * One client's copy of one game, kept as the web app keeps it: a snapshot,
 * then every `game.tick` applied with @repo/game's applyDelta; a snapshot for
 * a tick it already has is compared by hash (a desync check), a gap or a
 * reset refetches the state. After each arrival batch (the events one read
 * brought in, i.e. one fresh state to draw) it looks again at a random moment
 * within a tick and may turn, one input in flight at a time, and times the
 * input until the tick that applied it (its seq in that tick's acks) is
 * received and applied.
 */
export class GameFollower {
  state: MatchState | null = null;
  over: GameOverPayload | null = null;
  private readonly kept = new Map<number, MatchState>();
  private seq = 0;
  private pending: PendingInput | null = null;
  private lastTurnTick = 0;
  private batchScheduled = false;
  private lookTimer: NodeJS.Timeout | null = null;
  private advancedInBatch = false;
  private refetching = false;
  private closed = false;

  constructor(
    readonly gameId: string,
    private readonly options: FollowerOptions,
    private readonly link: FollowerLink,
    private readonly tally: PlayerTally,
    /** Called once when game.over arrives. */
    private readonly onOver: (over: GameOverPayload) => void = () => {},
  ) {
    tally.games++;
  }

  close(): void {
    this.closed = true;
    if (this.lookTimer) clearTimeout(this.lookTimer);
    this.lookTimer = null;
  }

  /** An input sent in the window is still waiting for its tick (or its refusal). */
  get hasSampledPending(): boolean {
    return this.pending?.sampled === true;
  }

  /** Every event of the game's topic, in order; `ts` is the envelope's (the server's Date.now() at publish). */
  onEvent(type: string, payload: unknown, ts?: number): void {
    if (this.closed) return;
    const parsed = GameEvent.safeParse({ type, payload });
    if (!parsed.success) return this.tally.problem(`unparsable ${type}: ${parsed.error.message.slice(0, 200)}`);
    const event = parsed.data;
    switch (event.type) {
      case "game.snapshot":
        return this.onSnapshot(event.payload.state);
      case "game.tick":
        return this.onTick(event.payload, ts);
      case "game.over":
        return this.onGameOver(event.payload);
      case "game.seats":
      case "lobby.updated":
      case "lobby.removed":
        return;
    }
  }

  /** The topic could not continue from the cursor: the state is refetched. */
  onReset(): void {
    this.tally.resets++;
    void this.refetch();
  }

  private adopt(state: MatchState) {
    this.state = state;
    this.keep(state);
  }

  private keep(state: MatchState) {
    this.kept.set(state.tick, state);
    if (this.kept.size <= KEPT_STATES) return;
    const oldest = this.kept.keys().next();
    if (!oldest.done) this.kept.delete(oldest.value);
  }

  private onSnapshot(snapshot: MatchState) {
    if (!this.state || snapshot.tick > this.state.tick) return this.adopt(snapshot);
    if (snapshot.tick < this.state.tick) return;
    this.tally.hashChecks++;
    if (stateHash(snapshot) !== stateHash(this.state)) {
      this.tally.desyncs++;
      this.tally.problem(`game ${this.gameId}: the snapshot of tick ${snapshot.tick} differs from the state this client computed`);
      this.adopt(snapshot);
    }
  }

  private onTick(payload: GameTickPayload, ts: number | undefined) {
    const { delta } = payload;
    if (!this.state || this.refetching || delta.tick <= this.state.tick) return;
    let next: MatchState;
    try {
      next = applyDelta(this.state, delta);
    } catch (error) {
      if (!(error instanceof TickGapError)) return this.tally.problem(`game ${this.gameId}: ${String(error)}`);
      this.tally.gaps++;
      void this.refetch();
      return;
    }
    const appliedAt = performance.now();
    this.adopt(next);
    this.advancedInBatch = true;
    if (this.tally.open) {
      this.tally.ticks++;
      if (ts !== undefined) this.tally.tickAges.push(Date.now() - ts);
    }
    const { seat } = this.options;
    if (seat !== null) {
      if (this.tally.open && payload.late.includes(seat)) this.tally.lateTicks++;
      this.settlePending(payload.acks[String(seat)] ?? 0, appliedAt, next);
    }
    this.scheduleBatchEnd();
  }

  /** The pending input applied at this tick (its seq acknowledged), or lost to a new round. */
  private settlePending(ack: number, appliedAt: number, state: MatchState) {
    const pending = this.pending;
    if (!pending) return;
    if (ack >= pending.seq) {
      if (pending.sampled) {
        this.tally.inputsApplied++;
        this.tally.latencies.push(appliedAt - pending.sentAt);
      }
      this.pending = null;
    } else if (state.round !== pending.round || appliedAt - pending.sentAt > INPUT_TIMEOUT_MS) {
      // A round change drops the queued turns (dropPending); they never apply.
      if (pending.sampled) this.tally.dropped++;
      this.pending = null;
    }
  }

  private onGameOver(over: GameOverPayload) {
    if (this.over) return;
    this.over = over;
    if (this.state?.tick === over.tick) {
      this.tally.overChecks++;
      if (stateHash(this.state) !== over.stateHash) {
        this.tally.overMismatches++;
        this.tally.problem(`game ${this.gameId}: the final state differs from the server's (tick ${over.tick})`);
      }
    } else {
      this.tally.problem(`game ${this.gameId}: game.over for tick ${over.tick} found this client at tick ${this.state?.tick ?? "none"}`);
    }
    this.onOver(over);
  }

  /** Runs once after the events of one arrival (one read of the socket or one poll answer). */
  private scheduleBatchEnd() {
    if (this.batchScheduled) return;
    this.batchScheduled = true;
    setImmediate(() => {
      this.batchScheduled = false;
      if (!this.advancedInBatch || !this.state || this.closed) return;
      this.advancedInBatch = false;
      const state = this.state;
      if (this.tally.open) this.tally.updates++;
      this.scheduleLook(tickMsFor(state.config.tickHz));
    });
  }

  /**
   * A person presses a key at no particular moment of the tick: the player
   * looks at its newest state a random time (under one tick) after a fresh
   * state arrived, and decides then. Deciding at once would always send just
   * after a tick ran and wait a whole tick for the next, every time.
   */
  private scheduleLook(tickMs: number) {
    const { seat, play } = this.options;
    if (!play || seat === null || this.pending || this.lookTimer || this.over) return;
    this.lookTimer = setTimeout(() => {
      this.lookTimer = null;
      if (!this.closed && this.state) this.decide(this.state);
    }, Math.random() * tickMs);
  }

  private decide(state: MatchState) {
    const { seat, play, turnEveryTicks } = this.options;
    if (!play || seat === null || this.pending || this.over) return;
    if (state.phase !== "playing") {
      this.lastTurnTick = state.tick;
      return;
    }
    const dir = chooseTurn(state, seat, state.tick - this.lastTurnTick, turnEveryTicks);
    if (!dir) return;
    this.lastTurnTick = state.tick;
    const pending: PendingInput = { seq: ++this.seq, sentAt: performance.now(), round: state.round, sampled: this.tally.open };
    this.pending = pending;
    if (pending.sampled) this.tally.inputsSent++;
    this.link.sendInput({ seq: pending.seq, dir, forTick: state.tick + 1 }).then(
      (answer) => {
        if (pending.sampled && answer.late) this.tally.lateAnswers++;
        if (answer.duplicate) this.tally.problem(`game ${this.gameId}: input ${pending.seq} answered as a duplicate`);
      },
      (error: unknown) => {
        if (pending.sampled) this.tally.refuse(errorCode(error));
        if (this.pending === pending) this.pending = null;
      },
    );
  }

  private async refetch() {
    if (this.refetching) return;
    this.refetching = true;
    try {
      const state = await this.link.fetchState();
      if (state && (!this.state || state.tick >= this.state.tick)) this.adopt(state);
    } catch (error) {
      this.tally.problem(`game ${this.gameId}: refetch failed: ${String(error)}`);
    } finally {
      this.refetching = false;
    }
  }

  /**
   * The final check: the server's state now (GET) against the state this
   * client computed for the same tick (waiting, up to `timeoutMs`, to reach it).
   */
  async verify(timeoutMs: number): Promise<"matched" | "mismatched" | "unreached" | "no state"> {
    const server = await this.link.fetchState();
    if (!server) return "no state";
    const deadline = performance.now() + timeoutMs;
    while ((this.state?.tick ?? -1) < server.tick && !this.over && performance.now() < deadline) await sleep(20);
    const mine = this.kept.get(server.tick);
    if (!mine) return "unreached";
    return stateHash(mine) === stateHash(server) ? "matched" : "mismatched";
  }
}
