/**
 * A first-in first-out queue over an array and a head index: push and shift are O(1)
 * (amortized), where `Array.prototype.shift`/`splice(0, n)` move every remaining item.
 * The consumed prefix is cut off once it is at least half the array.
 */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, or undefined when empty. */
  peek(): T | undefined {
    return this.items[this.head];
  }

  /** The newest item, or undefined when empty. */
  last(): T | undefined {
    return this.length > 0 ? this.items[this.items.length - 1] : undefined;
  }

  /** Item `index` counted from the oldest (0). */
  at(index: number): T | undefined {
    return index >= 0 && index < this.length ? this.items[this.head + index] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined; // let it be collected now, not at the next compaction
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Items `start` (inclusive) to `end` (exclusive), counted from the oldest. */
  slice(start: number, end: number): T[] {
    const from = this.head + Math.max(0, start);
    const to = this.head + Math.min(this.length, end);
    return (from < to ? this.items.slice(from, to) : []) as T[];
  }

  /** Keeps only the items `keep` accepts, in order: O(length). */
  retain(keep: (item: T) => boolean): void {
    this.items = (this.items.slice(this.head) as T[]).filter(keep);
    this.head = 0;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}
