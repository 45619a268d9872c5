import type { RealtimeClient } from "@repo/client";
import type { RoomId, User } from "@repo/protocol";

/** What the parts of one open room (history, outbox, presence, typing) share. */
export interface RoomContext {
  readonly client: RealtimeClient;
  readonly roomId: RoomId;
  readonly me: User;
  /** The clock, ms since the Unix epoch (a test passes its own). */
  readonly now: () => number;
  /** Something shown changed: React reads a new snapshot. */
  changed(): void;
  /** The current run (bumped by start and stop). */
  generation(): number;
  /** Whether work begun in `generation` still counts: async answers of an older run are ignored. */
  live(generation: number): boolean;
  /** Runs `run` after `ms`, unless the room stops first. */
  later(ms: number, run: () => void): void;
}

/** The room's runs, from start() to stop(): timers and async answers of an ended run do nothing. */
export class RoomRuns {
  private running = false;
  private current = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  /** Begins a run and returns its generation, or null when one is already under way. */
  begin(): number | null {
    if (this.running) return null;
    this.running = true;
    return ++this.current;
  }

  /** Ends the run (cancelling its timers); false when none was under way. */
  end(): boolean {
    if (!this.running) return false;
    this.running = false;
    this.current++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    return true;
  }

  generation = (): number => this.current;

  live = (generation: number): boolean => this.running && generation === this.current;

  later = (ms: number, run: () => void): void => {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  };
}
