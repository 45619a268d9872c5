/** A tiny typed event emitter (no Node `events` import, so it runs in browsers as is). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class Emitter<Events extends Record<string, (...args: any[]) => void>> {
  private readonly listeners = new Map<keyof Events, Set<Events[keyof Events]>>();

  /** Adds a listener; returns its removal. */
  on<K extends keyof Events>(name: K, listener: Events[K]): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener);
    return () => void set.delete(listener);
  }

  protected emit<K extends keyof Events>(name: K, ...args: Parameters<Events[K]>): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        // A throwing listener must not break delivery to the others.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  protected hasListeners(name: keyof Events): boolean {
    return (this.listeners.get(name)?.size ?? 0) > 0;
  }
}
