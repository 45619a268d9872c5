/**
 * What one client received of the publisher's numbered messages: a count per
 * sequence number (one byte each, so a long run stays small) and the arrivals
 * that came after a higher number. Read over a range of numbers per row.
 */
export class SeqLedger {
  private counts = new Uint8Array(1024);
  private highest = 0;
  outOfOrder = 0;

  record(seq: number): void {
    if (seq >= this.counts.length) {
      const grown = new Uint8Array(Math.max(this.counts.length * 2, seq + 1));
      grown.set(this.counts);
      this.counts = grown;
    }
    if (this.counts[seq]! < 255) this.counts[seq]!++;
    if (seq < this.highest) this.outOfOrder++;
    else this.highest = seq;
  }

  /** Whether every number in (after, through] arrived at least once. */
  hasAll(after: number, through: number): boolean {
    for (let seq = after + 1; seq <= through; seq++) if (!this.counts[seq]) return false;
    return true;
  }

  /** The highest number received so far (0: none). */
  get highestSeen(): number {
    return this.highest;
  }

  /** The first number in (after, through] not received, or undefined. */
  firstMissing(after: number, through: number): number | undefined {
    for (let seq = after + 1; seq <= through; seq++) if (!this.counts[seq]) return seq;
    return undefined;
  }

  /** Over (after, through]: numbers never received, and copies beyond the first. */
  tally(after: number, through: number): { lost: number; doubled: number } {
    let lost = 0;
    let doubled = 0;
    for (let seq = after + 1; seq <= through; seq++) {
      const count = this.counts[seq] ?? 0;
      if (count === 0) lost++;
      else doubled += count - 1;
    }
    return { lost, doubled };
  }
}
