// The states of one match as they arrived, and which (fractional) tick to draw now. Ticks come at
// a fixed rate but arrive unevenly (short polling brings a second's worth in one lump, long
// polling batches, streams jitter a little), so the board is drawn a little in the past: the
// render delay, sized to the measured arrival jitter (@repo/game's interpolation helpers).
// No I/O and no clock of its own: the caller passes the time.
import {
  createJitterEstimate,
  observeArrival,
  renderDelayMs,
  renderTick,
  tickMsFor,
  type Direction,
  type JitterEstimate,
  type MatchState,
  type Seat,
} from "@repo/game";

/** What to draw at one moment: the states around the drawn tick and how far between them. */
export interface RenderFrame {
  from: MatchState;
  to: MatchState;
  /** 0 at `from`, 1 at `to`. */
  alpha: number;
  /** The fractional tick drawn (from.tick + alpha). */
  tick: number;
  /** My turn sent and not yet in a state: where my cycle is about to head (drawn as a marker, not as movement). */
  pendingTurn?: { seat: Seat; dir: Direction };
}

/** States kept behind the newest: more than the longest render delay (1 s) at the highest rate. */
const STATES_KEPT = 64;

export class TickTimeline {
  private states: MatchState[] = [];
  private latestArrivalMs = 0;
  private jitter: JitterEstimate = createJitterEstimate();
  /** The tick last drawn: the board never runs backwards when a late state re-anchors the clock. */
  private drawnTick = -Infinity;
  readonly tickMs: number;

  constructor(tickHz: number) {
    this.tickMs = tickMsFor(tickHz);
  }

  /** The newest state, or null before the first. */
  get latest(): MatchState | null {
    return this.states.at(-1) ?? null;
  }

  /** The state at `tick`, if still kept. */
  at(tick: number): MatchState | null {
    const first = this.states[0];
    if (!first) return null;
    return this.states[tick - first.tick] ?? null;
  }

  /** Arrival jitter (ms), as estimated so far. */
  get jitterMs(): number {
    return this.jitter.jitterMs;
  }

  /** How far behind the newest state the board is drawn (ms). */
  get delayMs(): number {
    return renderDelayMs(this.tickMs, this.jitter.jitterMs);
  }

  /**
   * A state arrived. The one right after the newest extends the timeline; any other (a
   * snapshot after a gap, a correction) starts it again from this state.
   */
  push(state: MatchState, arrivalMs: number): void {
    const latest = this.latest;
    if (latest && state.tick === latest.tick + 1) {
      this.states.push(state);
      if (this.states.length > STATES_KEPT) this.states.splice(0, this.states.length - STATES_KEPT);
    } else {
      this.states = [state];
      this.drawnTick = -Infinity;
    }
    this.latestArrivalMs = arrivalMs;
    this.jitter = observeArrival(this.jitter, arrivalMs, state.tick, this.tickMs);
  }

  /** Replaces the state at its own tick (a snapshot that corrected a desync), keeping the clock. */
  replaceLatest(state: MatchState): void {
    if (this.latest?.tick === state.tick) this.states[this.states.length - 1] = state;
    else this.push(state, this.latestArrivalMs);
  }

  /** What to draw at `nowMs` (null before the first state). */
  frame(nowMs: number): RenderFrame | null {
    const latest = this.latest;
    const first = this.states[0];
    if (!latest || !first) return null;
    const wanted = renderTick(latest.tick, this.latestArrivalMs, nowMs, this.tickMs, this.delayMs);
    const tick = Math.min(latest.tick, Math.max(first.tick, wanted, this.drawnTick));
    this.drawnTick = tick;
    const base = Math.floor(tick);
    const from = this.at(base) ?? latest;
    const to = this.at(base + 1) ?? from;
    return { from, to, alpha: to === from ? 0 : tick - base, tick };
  }
}
