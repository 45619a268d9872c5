import type { Envelope } from "../message";

/** What one subscriber received, by sequence number: losses, duplicates and order. */
export class SubscriberLog {
  constructor(
    /** Which group of subscribers it belongs to (a flood row's transports); 0 otherwise. */
    readonly group = 0,
  ) {}
  private seen = new Uint8Array(1024);
  unique = 0;
  duplicates = 0;
  outOfOrder = 0;
  highest = 0;

  /** Records a receipt; false when it is a duplicate. */
  receive(seq: number): boolean {
    if (seq >= this.seen.length) {
      const grown = new Uint8Array(Math.max(seq + 1, this.seen.length * 2));
      grown.set(this.seen);
      this.seen = grown;
    }
    if (this.seen[seq]) {
      this.duplicates++;
      return false;
    }
    this.seen[seq] = 1;
    this.unique++;
    if (seq < this.highest) this.outOfOrder++;
    else this.highest = seq;
    return true;
  }

  /** The seqs among from..to this subscriber never received. */
  missingBetween(from: number, to: number): number[] {
    const missing: number[] = [];
    for (let seq = Math.max(1, from); seq <= to; seq++) if (!this.seen[seq]) missing.push(seq);
    return missing;
  }

  /** Distinct messages received among seq 1..last. */
  uniqueUpTo(last: number): number {
    let count = 0;
    const end = Math.min(last, this.seen.length - 1);
    for (let seq = 1; seq <= end; seq++) count += this.seen[seq]!;
    return count;
  }
}

/** Every first receipt (seq and latency) across all subscribers. */
export class Receipts {
  readonly subscribers: SubscriberLog[] = [];
  private seqs: number[] = [];
  private latencies: number[] = [];
  private groups: number[] = [];

  add(group = 0): SubscriberLog {
    const log = new SubscriberLog(group);
    this.subscribers.push(log);
    return log;
  }

  record(log: SubscriberLog, envelope: Envelope, receivedAt: number) {
    const { seq, sentAt } = envelope.payload;
    if (!log.receive(seq)) return;
    this.seqs.push(seq);
    this.latencies.push(receivedAt - sentAt);
    this.groups.push(log.group);
  }

  /** Latencies of first receipts of seq in [from, to] (of one group's subscribers, if given). */
  latenciesBetween(from: number, to: number, group?: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.seqs.length; i++) {
      const seq = this.seqs[i]!;
      if (seq >= from && seq <= to && (group === undefined || this.groups[i] === group)) out.push(this.latencies[i]!);
    }
    return out;
  }

  clear() {
    this.subscribers.length = 0;
    this.seqs = [];
    this.latencies = [];
    this.groups = [];
  }
}
