import { HTTP_PATHS } from "@repo/protocol";
import type { TransportHost, TransportSettings } from "../transport";
import { HttpPollTransport } from "./http-poll";

/**
 * Short polling: `GET /v1/poll?cursor=…` every `pollIntervalMs`, at once again
 * when the answer says `more`. Latency is up to one interval; an empty poll
 * costs a 304.
 */
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

  protected delayAfter(answer: { more: boolean }): number {
    return answer.more ? 0 : this.settings.pollIntervalMs;
  }

  protected timeoutFor(): number {
    return this.host.requestTimeoutMs;
  }
}
