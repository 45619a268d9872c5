import { HTTP_PATHS } from "@repo/protocol";
import type { TransportHost, TransportSettings } from "../transport";
import { HttpPollTransport } from "./http-poll";

/**
 * Short polling: `GET /v1/poll?cursor=…` every `pollIntervalMs` (or the pause the
 * service advises on each answer), at once again
 * when the answer says `more`. Latency is up to one interval; an empty poll
 * costs a 304.
 */
const DEFAULT_POLL_INTERVAL_MS = 1000;

export class PollingTransport extends HttpPollTransport {
  readonly name = "polling";
  protected readonly path = HTTP_PATHS.poll;

  constructor(
    host: TransportHost,
    private readonly settings: Pick<TransportSettings, "pollIntervalMs">,
  ) {
    super(host);
  }

  protected queryFor(): Record<string, never> {
    return {};
  }

  protected delayAfter(answer: { more: boolean; advisedMs?: number }): number {
    if (answer.more) return 0;
    // The client's own setting wins; else the service's advice (its flag); else a second.
    return this.settings.pollIntervalMs ?? answer.advisedMs ?? DEFAULT_POLL_INTERVAL_MS;
  }

  protected timeoutFor(): number {
    return this.host.requestTimeoutMs;
  }
}
