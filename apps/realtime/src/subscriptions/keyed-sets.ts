/**
 * Sets of values by key that cost no Set while a key holds one value: most
 * sessions and users hold a single connection, and a Set per idle connection
 * is a measurable share of its heap (pnpm bench, heap per idle connection).
 */
export class KeyedSets<V> {
  private readonly entries = new Map<string, V | Set<V>>();

  add(key: string, value: V): void {
    const current = this.entries.get(key);
    if (current === undefined) this.entries.set(key, value);
    else if (current instanceof Set) current.add(value);
    else if (current !== value) this.entries.set(key, new Set([current, value]));
  }

  /** True when the value was there. */
  delete(key: string, value: V): boolean {
    const current = this.entries.get(key);
    if (current === value) {
      this.entries.delete(key);
      return true;
    }
    if (!(current instanceof Set) || !current.delete(value)) return false;
    if (current.size === 1) this.entries.set(key, current.values().next().value as V);
    return true;
  }

  /** A snapshot of the key's values (safe to iterate while they remove themselves). */
  get(key: string): V[] {
    const current = this.entries.get(key);
    if (current === undefined) return [];
    return current instanceof Set ? [...current] : [current];
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** One value per key (sessions' connections share their expiry). */
  *firstOfEach(): Generator<[string, V]> {
    for (const [key, current] of this.entries) yield [key, current instanceof Set ? (current.values().next().value as V) : current];
  }

  get size(): number {
    return this.entries.size;
  }

  *values(): Generator<V> {
    for (const current of this.entries.values()) {
      if (current instanceof Set) yield* current;
      else yield current;
    }
  }
}
