import type { TransportHost } from "../transport";
import { HttpPollTransport } from "./http-poll";

export interface PollingOptions {
  /** Pause between polls when nothing more is waiting. */
  pollIntervalMs: number;
}

/**
 * Short polling: `GET /v1/poll?cursor=…` every `pollIntervalMs`, at once again
 * when the answer says `more`. Latency is up to one interval; an empty poll
 * costs a 304.
 */
export class PollingTransport extends HttpPollTransport {
  readonly name = "polling";

  constructor(
    host: TransportHost,
    private readonly options: PollingOptions,
  ) {
    super(host);
  }

  protected pathFor(cursor: string): string {
    return `/v1/poll?cursor=${encodeURIComponent(cursor)}`;
  }

  protected delayAfter(answer: { more: boolean }): number {
    return answer.more ? 0 : this.options.pollIntervalMs;
  }

  protected timeoutFor(): number {
    return this.host.requestTimeoutMs;
  }
}
