import { POLL_INTERVAL_HEADER, PollResponse, ProtocolError, decodeCursor, encodeCursor, type CursorMap } from "@repo/protocol";
import { ConnectionError } from "../errors";
import { errorFromAnswer, httpRequest } from "../http";
import { endsTopic } from "../refusals";
import { BaseTransport } from "../transport";

/**
 * The loop shared by short and long polling: ask with the current cursors,
 * hand the batch to the client, go again after `delayAfter`. Conditional
 * requests (If-None-Match against the ETag of the cursor) make an empty answer
 * a bare 304. A topic change aborts the request in flight and asks again at
 * once; the cursors make that lossless.
 */
export abstract class HttpPollTransport extends BaseTransport {
  private controller: AbortController | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped by stop(): answers to superseded requests are dropped. */
  private sequence = 0;
  private etag: { cursor: string; value: string } | null = null;

  /** The endpoint polled (HTTP_PATHS.poll or .longPoll). */
  protected abstract readonly path: string;
  /** Query parameters of the next request beyond the cursor and the signals mark. */
  protected abstract queryFor(cursors: CursorMap, first: boolean): Record<string, string | number>;
  /** Ms to wait before the next request after an answer. */
  /** `advisedMs`: the pause the service asked for on this answer (POLL_INTERVAL_HEADER), when it said. */
  protected abstract delayAfter(answer: { empty: boolean; more: boolean; advisedMs?: number }): number;
  /** Client-side timeout of one request. */
  protected abstract timeoutFor(first: boolean): number;

  protected start(): void {
    this.schedule(0);
  }

  protected stop(): void {
    this.sequence++;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.controller?.abort();
    this.controller = null;
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll();
    }, ms);
  }

  private async poll(): Promise<void> {
    const cursors = this.host.cursors();
    if (Object.keys(cursors).length === 0) {
      // Nothing to follow: idle (commands still work) until topics are added.
      this.announceOpen();
      return;
    }
    const cursor = encodeCursor(cursors);
    const sequence = ++this.sequence;
    const first = !this.hasOpened;
    const controller = new AbortController();
    this.controller = controller;
    const headers: Record<string, string> = {};
    if (this.etag?.cursor === cursor) headers["if-none-match"] = this.etag.value;
    this.host.count("requests");
    try {
      const since = this.host.signalsSince();
      const path = this.subscriptionPath(this.path, { cursor, ...this.queryFor(cursors, first), ...(since > 0 ? { signals: since } : {}) });
      const answer = await httpRequest(this.host, path, {
        headers,
        signal: controller.signal,
        timeoutMs: this.timeoutFor(first),
        versionInUrl: true,
      });
      if (sequence !== this.sequence || this.closed) return;
      this.controller = null;
      if (answer.status === 304) {
        this.announceOpen();
        this.host.count("emptyPolls");
        this.host.positions(cursors);
        this.schedule(this.delayAfter({ empty: true, more: false, ...advisedPause(answer.headers) }));
        return;
      }
      if (answer.status !== 200) throw errorFromAnswer(answer);
      const parsed = PollResponse.safeParse(JSON.parse(answer.text));
      if (!parsed.success) throw new ProtocolError("internal", "Malformed poll response");
      const body = parsed.data;
      this.announceOpen();
      const etag = answer.headers.get("etag");
      this.etag = etag ? { cursor: body.cursor, value: etag } : null;
      const empty = body.events.length === 0 && body.resets.length === 0 && body.signals.length === 0;
      if (empty) this.host.count("emptyPolls");
      for (const reset of body.resets) this.host.reset(reset);
      for (const signal of body.signals) this.host.signal(signal);
      this.host.signalsSeen(body.signalsSince);
      for (const event of body.events) this.host.event(event);
      const positions = decodeCursor(body.cursor);
      if (positions) this.host.positions(positions);
      if (this.closed || sequence !== this.sequence) return;
      this.schedule(this.delayAfter({ empty, more: body.more, ...advisedPause(answer.headers) }));
    } catch (error) {
      if (sequence !== this.sequence || this.closed) return;
      this.controller = null;
      if (endsTopic(error)) {
        // The client drops the refused topics and calls update(), which polls again.
        this.host.refused(error);
        return;
      }
      this.fail(error instanceof SyntaxError ? new ConnectionError("network", "Malformed poll response body") : error);
    }
  }
}

/** The service's advised pause, if the answer carries a sane one (100 ms – 60 s). */
function advisedPause(headers: { get(name: string): string | null }): { advisedMs?: number } {
  const value = Number(headers.get(POLL_INTERVAL_HEADER));
  return Number.isInteger(value) && value >= 100 && value <= 60_000 ? { advisedMs: value } : {};
}
