import type { CursorMap } from "@repo/protocol";
import type { TransportHost } from "../transport";
import { HttpPollTransport } from "./http-poll";

export interface LongPollingOptions {
  /** How long the server may hold a request (it caps this at its own limit). */
  longPollTimeoutMs: number;
}

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

  constructor(
    host: TransportHost,
    private readonly options: LongPollingOptions,
  ) {
    super(host);
  }

  protected pathFor(cursor: string, cursors: CursorMap, first: boolean): string {
    const immediate = first || Object.values(cursors).some((position) => position === null);
    const timeout = immediate ? 0 : this.options.longPollTimeoutMs;
    return `/v1/long-poll?cursor=${encodeURIComponent(cursor)}&timeout=${timeout}`;
  }

  protected delayAfter(): number {
    return 0;
  }

  protected timeoutFor(first: boolean): number {
    return first ? this.host.requestTimeoutMs : this.options.longPollTimeoutMs + GRACE_MS;
  }
}
