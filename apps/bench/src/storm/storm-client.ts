import { createClient, type RealtimeClient } from "@repo/client";
import type { TransportName } from "@repo/protocol";
import type { Guest } from "../flags/guests";
import { BENCH_TOPIC, monotonicMs } from "../message";

/**
 * One SDK client of the storm: subscribed to the bench topic from its live
 * end, counting every event the app sees by offset, and noting when it is
 * open again after the drop it is watching for.
 */
export class StormClient {
  readonly client: RealtimeClient;
  /** How many times the app saw each offset (index = offset). */
  private readonly seen: number[] = [];
  epochs = new Set<string>();
  resets = 0;
  errors = 0;
  firstError: string | undefined;
  private watching = false;
  wentDown = false;
  /** When it was open again after the drop (shared monotonic clock). */
  backAt: number | undefined;

  constructor(url: string, guest: Guest, transport: TransportName, jitter: boolean) {
    // The SDK's own reconnect (500 ms doubling to 30 s); only the jitter differs between the runs.
    this.client = createClient({ url, transport, auth: { token: guest.token }, reconnect: { jitter } });
    this.client.on("status", (status) => {
      if (!this.watching) return;
      if (status !== "open") this.wentDown = true;
      else if (this.wentDown && this.backAt === undefined) this.backAt = monotonicMs();
    });
    this.client.on("error", (error) => {
      this.errors++;
      this.firstError ??= error instanceof Error ? error.message : String(error);
    });
    this.client.subscribe(
      BENCH_TOPIC,
      (event) => {
        this.epochs.add(event.epoch);
        this.seen[event.offset] = (this.seen[event.offset] ?? 0) + 1;
      },
      { onReset: () => this.resets++ },
    );
  }

  /** From now, the next time the client is open after going down is when it was back. */
  watch(): void {
    this.watching = true;
    this.wentDown = false;
    this.backAt = undefined;
  }

  get highest(): number {
    return this.seen.length - 1;
  }

  /** Offsets 1..head never seen, and offsets seen more than once (the log starts after every client is open). */
  tally(head: number): { lost: number; duplicates: number } {
    let lost = 0;
    let duplicates = 0;
    for (let offset = 1; offset <= head; offset++) {
      const times = this.seen[offset] ?? 0;
      if (times === 0) lost++;
      else duplicates += times - 1;
    }
    return { lost, duplicates };
  }
}
