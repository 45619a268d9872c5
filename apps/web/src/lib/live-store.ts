/**
 * The part every framework-free store of the web app shares: React reads it
 * through `subscribe` / `getSnapshot` (useSyncExternalStore), the snapshot is
 * cached until something changes, and `start` / `stop` / `retry` run one
 * generation of loading and following at a time. A callback from an older
 * generation (a read answered after `stop`) checks `live(generation)` and drops
 * its result. A store fills in the snapshot, what opening does, and what
 * stopping releases.
 */
export abstract class LiveStore<TSnapshot> {
  private readonly listeners = new Set<() => void>();
  private cached: TSnapshot | null = null;
  private running = false;
  private current = 0;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  getSnapshot = (): TSnapshot => {
    this.cached ??= this.snapshotNow();
    return this.cached;
  };

  /** Reads and follows; safe to call again after stop(). */
  start = (): void => {
    if (this.running) return;
    this.running = true;
    void this.open(++this.current);
  };

  stop = (): void => {
    if (!this.running) return;
    this.running = false;
    this.current++;
    this.release();
  };

  /** After an error: start over. */
  retry = (): void => {
    this.stop();
    this.start();
  };

  /** The snapshot for the state now (called once per change, when React next reads). */
  protected abstract snapshotNow(): TSnapshot;
  /** One generation's loading and following. */
  protected abstract open(generation: number): Promise<void>;
  /** What stop() lets go of: subscriptions, timers, reads in flight. */
  protected abstract release(): void;

  /** The generation running now (a callback started now passes it to live() later). */
  protected get generation(): number {
    return this.current;
  }

  protected live(generation: number): boolean {
    return this.running && generation === this.current;
  }

  /** Something changed: a new snapshot next time, and every listener told. */
  protected changed(): void {
    this.cached = null;
    for (const listener of [...this.listeners]) listener();
  }

  /** A new snapshot next time, without telling anyone yet (a change announced later). */
  protected invalidate(): void {
    this.cached = null;
  }
}
