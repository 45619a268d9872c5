// Turns what game:<id> delivers into the match's states: a snapshot is the whole state, a tick
// is re-run on the state before it with @repo/game's applyDelta (the inputs the server applied,
// so this tab computes exactly the server's state). A tick that does not follow (TickGapError)
// means something was missed: the caller refetches a snapshot. A snapshot at a tick already
// held is a free desync check: a different hash is corrected and counted. No I/O.
import { applyDelta, stateHash, TickGapError, type MatchState, type TickDelta } from "@repo/game";
import { TickTimeline } from "./tick-timeline";

export type FeedOutcome = "applied" | "stale" | "gap";

export class MatchFeed {
  private line: TickTimeline | null = null;
  /** Snapshots that differed from the state computed here (corrected). */
  desyncs = 0;

  get timeline(): TickTimeline | null {
    return this.line;
  }

  get latest(): MatchState | null {
    return this.line?.latest ?? null;
  }

  /** The whole state at its tick. */
  snapshot(state: MatchState, arrivalMs: number): FeedOutcome {
    const latest = this.latest;
    if (!this.line || !latest || state.config.seed !== latest.config.seed || state.config.tickHz !== latest.config.tickHz) {
      // The first state, or another match's: a timeline of its own.
      this.line = new TickTimeline(state.config.tickHz);
      this.line.push(state, arrivalMs);
      return "applied";
    }
    if (state.tick < latest.tick) return "stale";
    if (state.tick === latest.tick) {
      if (stateHash(state) !== stateHash(latest)) {
        this.desyncs++;
        this.line.replaceLatest(state);
      }
      return "applied";
    }
    this.line.push(state, arrivalMs);
    return "applied";
  }

  /** One tick's delta. */
  tick(delta: TickDelta, arrivalMs: number): FeedOutcome {
    const latest = this.latest;
    if (!this.line || !latest) return "gap";
    if (delta.tick <= latest.tick) return "stale";
    try {
      this.line.push(applyDelta(latest, delta), arrivalMs);
      return "applied";
    } catch (error) {
      if (error instanceof TickGapError) return "gap";
      throw error;
    }
  }
}
