/**
 * What one player's client saw. The window counters (traffic-independent
 * figures: ticks, state updates, inputs, latency) count only while the window
 * is open; an input sent in the window is timed even if its tick arrives just
 * after. The correctness counters (gaps, desyncs) count over the whole run.
 */
export class PlayerTally {
  open = false;
  /** game.tick deltas applied. */
  ticks = 0;
  /** Arrival batches that advanced the state: the fresh states a renderer could draw. */
  updates = 0;
  inputsSent = 0;
  inputsApplied = 0;
  /** Inputs the server answered `late: true` (applied at its next tick, never back-dated). */
  lateAnswers = 0;
  /** Ticks whose `late` list named this player's seat. */
  lateTicks = 0;
  /** Inputs refused, by error code. */
  refused: Record<string, number> = {};
  /** Inputs that never applied: a new round dropped them, or no answer and no tick within the timeout. */
  dropped = 0;
  /** Own input sent → the tick that applied it received and applied, ms. */
  latencies: number[] = [];
  /** Each applied tick's age when it arrived: the client's clock − the envelope's `ts` (the server's clock at publish; one machine), ms. */
  tickAges: number[] = [];

  // Over the whole run:
  /** Snapshots (periodic, round starts) compared with the state this client computed for their tick. */
  hashChecks = 0;
  desyncs = 0;
  /** game.over compared with this client's final state. */
  overChecks = 0;
  overMismatches = 0;
  /** Ticks that did not follow the state (TickGapError) and resets: each refetched the state. */
  gaps = 0;
  resets = 0;
  games = 0;
  problems: string[] = [];

  openWindow(): void {
    this.open = true;
    this.ticks = this.updates = this.inputsSent = this.inputsApplied = this.lateAnswers = this.lateTicks = this.dropped = 0;
    this.refused = {};
    this.latencies = [];
    this.tickAges = [];
  }

  closeWindow(): void {
    this.open = false;
  }

  refuse(code: string): void {
    if (this.open) this.refused[code] = (this.refused[code] ?? 0) + 1;
  }

  problem(text: string): void {
    // Bounded: a run that goes wrong says so a few times, not once per tick.
    if (this.problems.length < 20) this.problems.push(text);
  }
}
