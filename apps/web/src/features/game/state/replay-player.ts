// A finished game re-run in the browser, tick by tick, from its stored seed and inputs
// (@repo/game's replayMatch): the simulation is deterministic, so the replay is the game. Plays,
// pauses, changes speed, starts over or jumps to the end; once it ends it compares its last state
// with the stored result (state hash, scores, winner).
// Framework-free; React reads it through `subscribe` / `getSnapshot`, the board through `frame`.
import { replayMatch, stateHash, tickMsFor, type MatchState } from "@repo/game";
import type { GameReplayResponse } from "@repo/protocol";
import type { MatchSummary } from "./game-view-snapshot";
import { matchSummaryOf, summaryKey } from "./match-summary";
import type { RenderFrame } from "./tick-timeline";

export const REPLAY_SPEEDS = [1, 2, 4, 8, 16] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];

/** How the replay's end compares with what the service stored. */
export interface ReplayVerdict {
  hash: string;
  storedHash: string;
  scoresMatch: boolean;
  winnerMatch: boolean;
  /** All three agree. */
  matches: boolean;
}

export interface ReplaySnapshot {
  playing: boolean;
  speed: ReplaySpeed;
  /** The whole tick shown now, and the game's last. */
  tick: number;
  lastTick: number;
  match: MatchSummary;
  done: boolean;
  verdict: ReplayVerdict | null;
}

/** React hears about the moving tick at most this often (the board itself draws every frame). */
const PROGRESS_EVERY_MS = 100;

export class ReplayPlayer {
  private readonly listeners = new Set<() => void>();
  private snapshot: ReplaySnapshot | null = null;

  private states: Generator<MatchState, void, undefined>;
  /** The last two states the replay made: the board draws between them. */
  private previous: MatchState;
  private current: MatchState;
  private ended = false;

  private playing = false;
  private speed: ReplaySpeed = 1;
  /** Where the replay stands (fractional tick) at `anchorMs`, and since then at `speed`. */
  private anchorTick = 0;
  private anchorMs = 0;
  private verdict: ReplayVerdict | null = null;
  private match: MatchSummary;
  private matchKey: string;
  private shownTick = 0;
  private lastProgressMs = -Infinity;
  private readonly tickMs: number;

  constructor(
    readonly replay: GameReplayResponse,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tickMs = tickMsFor(replay.config.tickHz);
    this.states = replayMatch(replay.config, replay.log);
    this.current = this.previous = this.next() ?? this.failStart();
    this.match = matchSummaryOf(this.current);
    this.matchKey = summaryKey(this.match);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  getSnapshot = (): ReplaySnapshot => {
    this.snapshot ??= {
      playing: this.playing,
      speed: this.speed,
      tick: this.shownTick,
      lastTick: this.replay.result.ticks,
      match: this.match,
      done: this.ended && this.shownTick >= this.current.tick,
      verdict: this.verdict,
    };
    return this.snapshot;
  };

  private changed(): void {
    this.snapshot = null;
    for (const listener of [...this.listeners]) listener();
  }

  // ---- controls --------------------------------------------------------------------------

  play = (): void => {
    if (this.playing) return;
    if (this.ended && this.position(this.now()) >= this.current.tick) this.rewind();
    this.anchor(this.position(this.now()));
    this.playing = true;
    this.changed();
  };

  pause = (): void => {
    if (!this.playing) return;
    this.anchor(this.position(this.now()));
    this.playing = false;
    this.changed();
  };

  setSpeed = (speed: ReplaySpeed): void => {
    this.anchor(this.position(this.now()));
    this.speed = speed;
    this.changed();
  };

  /** Back to tick 0, playing. */
  restart = (): void => {
    this.rewind();
    this.anchor(0);
    this.playing = true;
    this.frame();
    this.changed();
  };

  /** Runs the rest at once and shows the end. */
  skipToEnd = (): void => {
    while (!this.ended) this.advance();
    this.anchor(this.current.tick);
    this.playing = false;
    this.frame();
    this.changed();
  };

  // ---- the board -------------------------------------------------------------------------

  frame(nowMs: number = this.now()): RenderFrame {
    let tick = this.position(nowMs);
    let stopped = false;
    while (!this.ended && this.current.tick < Math.floor(tick) + 1) this.advance();
    if (tick >= this.current.tick) {
      tick = this.current.tick;
      if (this.ended && this.playing) {
        this.anchor(tick);
        this.playing = false;
        stopped = true;
      }
    }
    const from = Math.floor(tick) >= this.current.tick ? this.current : this.previous;
    const to = this.current;
    const alpha = from === to ? 0 : tick - from.tick;
    this.report(Math.floor(tick), from, nowMs, stopped);
    return { from, to, alpha, tick };
  }

  /** Tells React when what it shows changed: the summary, the end, or the tick (at most every PROGRESS_EVERY_MS). */
  private report(tick: number, shown: MatchState, nowMs: number, stopped: boolean): void {
    const summary = matchSummaryOf(shown);
    const key = summaryKey(summary);
    const moved = tick !== this.shownTick && nowMs - this.lastProgressMs >= PROGRESS_EVERY_MS;
    const finished = this.ended && tick >= this.current.tick && tick !== this.shownTick;
    if (key === this.matchKey && !moved && !finished && !stopped) return;
    this.match = summary;
    this.matchKey = key;
    this.shownTick = tick;
    this.lastProgressMs = nowMs;
    this.changed();
  }

  // ---- running the simulation ----------------------------------------------------------------

  private position(nowMs: number): number {
    if (!this.playing) return this.anchorTick;
    return this.anchorTick + ((nowMs - this.anchorMs) * this.speed) / this.tickMs;
  }

  private anchor(tick: number): void {
    this.anchorTick = tick;
    this.anchorMs = this.now();
  }

  private advance(): void {
    const next = this.next();
    if (!next) {
      this.ended = true;
      this.verdict ??= this.judge(this.current);
      return;
    }
    this.previous = this.current;
    this.current = next;
  }

  private next(): MatchState | null {
    const step = this.states.next();
    return step.done ? null : step.value;
  }

  private rewind(): void {
    this.states = replayMatch(this.replay.config, this.replay.log);
    this.current = this.previous = this.next() ?? this.failStart();
    this.ended = false;
    this.shownTick = 0;
  }

  private judge(last: MatchState): ReplayVerdict {
    const { result } = this.replay;
    const hash = stateHash(last);
    const scoresMatch = last.scores.length === result.scores.length && last.scores.every((score, i) => score === result.scores[i]);
    const winnerMatch = last.winner === result.winner;
    return { hash, storedHash: result.stateHash, scoresMatch, winnerMatch, matches: hash === result.stateHash && scoresMatch && winnerMatch };
  }

  private failStart(): never {
    throw new Error("replayMatch yielded no initial state");
  }
}
