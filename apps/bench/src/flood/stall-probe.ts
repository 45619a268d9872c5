import type { ChildHandle } from "../ipc";
import { monotonicMs } from "../message";
import type { ServerApi } from "../server-process";

/**
 * Measures how long the server's event loop stays busy: one IPC `ping` in
 * flight at a time, a new one 100 ms after the last answer. A ping that takes
 * long is a stall (every client of the server waited as long).
 */
export class StallProbe {
  private readonly stalls: Array<{ sentAt: number; answeredAt: number }> = [];
  private outstanding: number | undefined;
  private stopped = false;

  constructor(private readonly server: ChildHandle<ServerApi>) {
    void this.loop();
  }

  private async loop() {
    while (!this.stopped) {
      this.outstanding = monotonicMs();
      try {
        await this.server.call("ping", undefined, 600_000);
      } catch {
        return;
      } finally {
        if (this.outstanding !== undefined) this.stalls.push({ sentAt: this.outstanding, answeredAt: monotonicMs() });
        this.outstanding = undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Longest wait (ms) for a ping sent in [from, to] (monotonic ms); a ping still unanswered counts until now. */
  longestMs(from: number, to: number): number {
    let longest = 0;
    for (const { sentAt, answeredAt } of this.stalls) if (sentAt >= from && sentAt <= to) longest = Math.max(longest, answeredAt - sentAt);
    if (this.outstanding !== undefined && this.outstanding <= to) longest = Math.max(longest, monotonicMs() - this.outstanding);
    return longest;
  }

  stop() {
    this.stopped = true;
  }
}
