import { HTTP_PATHS, type CursorMap } from "@repo/protocol";
import type { TransportHost, TransportSettings } from "../transport";
import { HttpPollTransport } from "./http-poll";

/** Extra client-side patience beyond the hold time before a request counts as lost. */
const GRACE_MS = 10_000;

/**
 * Long polling: `GET /v1/long-poll?cursor=…&timeout=…`, held by the server
 * until events arrive or the timeout passes, then asked again at once. The
 * first request of a connection, and any with a "from now" cursor, asks with
 * `timeout=0`: it confirms the connection and pins "now" to concrete offsets
 * immediately, so nothing published while the next request is held is missed.
 */
export class LongPollingTransport extends HttpPollTransport {
  readonly name = "long-polling";
  protected readonly path = HTTP_PATHS.longPoll;

  constructor(
    host: TransportHost,
    private readonly settings: Pick<TransportSettings, "longPollTimeoutMs">,
  ) {
    super(host);
  }

  protected queryFor(cursors: CursorMap, first: boolean): { timeout: number } {
    const immediate = first || Object.values(cursors).some((position) => position === null);
    return { timeout: immediate ? 0 : this.settings.longPollTimeoutMs };
  }

  protected delayAfter(): number {
    return 0;
  }

  protected timeoutFor(first: boolean): number {
    return first ? this.host.requestTimeoutMs : this.settings.longPollTimeoutMs + GRACE_MS;
  }
}
