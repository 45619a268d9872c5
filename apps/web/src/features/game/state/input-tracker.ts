// My inputs in one game: their sequence numbers, which are still waiting to be applied, and
// how long each took from being sent to its effect being drawn (input-to-render latency: the
// command's trip, the wait for the tick, the state's trip back and the render delay). No I/O.
import { GAME_LIMITS, isLegalTurn, type Direction } from "@repo/game";

interface SentInput {
  seq: number;
  dir: Direction;
  sentAtMs: number;
  /** The tick whose acks first covered it (it took effect there); null while waiting. */
  appliedTick: number | null;
}

/** Latency samples kept (the readout's percentiles). */
const SAMPLES_KEPT = 64;
/** An input never seen applied (the round ended first, the queue dropped it) is forgotten after this. */
const FORGET_AFTER_MS = 5000;

export interface InputLatency {
  samples: number;
  /** Newest sample (ms), null before the first. */
  last: number | null;
  p50: number | null;
  max: number | null;
}

export class InputTracker {
  private nextSeq = 1;
  private waiting: SentInput[] = [];
  private readonly samples: number[] = [];
  sent = 0;
  refused = 0;

  /** The service applied inputs up to `ackedSeq` already (a snapshot after a reload): continue above it. */
  continueAfter(ackedSeq: number): void {
    this.nextSeq = Math.max(this.nextSeq, ackedSeq + 1);
  }

  /** The direction my cycle will follow once my waiting inputs apply (`current`: as the newest state has it). */
  directionAfterWaiting(current: Direction): Direction {
    return this.directionAfter(current, this.waiting.filter((input) => input.appliedTick === null));
  }

  /** The same from a state drawn earlier: every input whose effect is not drawn yet counts, applied or not. */
  directionAfterUndrawn(drawn: Direction): Direction {
    return this.directionAfter(drawn, this.waiting);
  }

  private directionAfter(start: Direction, inputs: readonly SentInput[]): Direction {
    let dir = start;
    for (const input of inputs) if (isLegalTurn(dir, input.dir)) dir = input.dir;
    return dir;
  }

  /** A new input is being sent: its seq. */
  record(dir: Direction, nowMs: number): number {
    this.forgetStale(nowMs);
    const seq = this.nextSeq++;
    this.waiting.push({ seq, dir, sentAtMs: nowMs, appliedTick: null });
    this.sent++;
    return seq;
  }

  /** The service had already accepted this seq (another tab, or before a reload): skip past the queue it may hold. */
  skipPast(seq: number): void {
    this.nextSeq = Math.max(this.nextSeq, seq + GAME_LIMITS.inputQueueMax + 1);
  }

  /** The service refused it (rate, legality, the game ended): it will never take effect. */
  refusedInput(seq: number): void {
    this.waiting = this.waiting.filter((input) => input.seq !== seq);
    this.refused++;
  }

  /** A new round began: what was waiting was dropped by the service (its ack says nothing about a drawn effect). */
  dropWaiting(): void {
    this.waiting = [];
  }

  /** The state at `tick` says my seat's inputs up to `ackedSeq` have been applied. */
  acked(ackedSeq: number, tick: number): void {
    for (const input of this.waiting) if (input.appliedTick === null && input.seq <= ackedSeq) input.appliedTick = tick;
    this.nextSeq = Math.max(this.nextSeq, ackedSeq + 1);
  }

  /** The board now shows `tick`: every input applied at or before it has had its effect drawn. */
  drawn(tick: number, nowMs: number): void {
    if (this.waiting.length === 0) return;
    const still: SentInput[] = [];
    for (const input of this.waiting) {
      if (input.appliedTick !== null && input.appliedTick <= tick) this.sample(nowMs - input.sentAtMs);
      else still.push(input);
    }
    this.waiting = still;
  }

  latency(): InputLatency {
    if (this.samples.length === 0) return { samples: 0, last: null, p50: null, max: null };
    const sorted = [...this.samples].sort((a, b) => a - b);
    return {
      samples: sorted.length,
      last: this.samples.at(-1) ?? null,
      p50: sorted[Math.ceil(sorted.length / 2) - 1] ?? null,
      max: sorted.at(-1) ?? null,
    };
  }

  private sample(ms: number): void {
    this.samples.push(ms);
    if (this.samples.length > SAMPLES_KEPT) this.samples.shift();
  }

  private forgetStale(nowMs: number): void {
    this.waiting = this.waiting.filter((input) => nowMs - input.sentAtMs < FORGET_AFTER_MS);
  }
}
