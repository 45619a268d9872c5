import {
  ClosingNotice,
  EventEnvelope,
  HTTP_PATHS,
  ProtocolError,
  ResetSignal,
  RevokedNotice,
  SSE_EVENTS,
  Signal,
  StreamReady,
  decodeCursor,
  encodeCursor,
  type CursorMap,
} from "@repo/protocol";
import { ConnectionError } from "../errors";
import { fetchTicket, type FetchLike } from "../http";
import { endsTopic } from "../refusals";
import { BaseTransport, type TransportHost, type TransportSettings } from "../transport";
import { utf8Length } from "../utf8";

/** The part of the EventSource API the transport uses (the DOM one and the `eventsource` package's both fit). */
export interface EventSourceLike {
  addEventListener(type: string, listener: (event: { data?: unknown; lastEventId?: string }) => void): void;
  close(): void;
}
export type EventSourceConstructor = new (
  url: string,
  init?: { withCredentials?: boolean; fetch?: FetchLike },
) => EventSourceLike;

/** SSE framing bytes around each frame's data (field names, newlines), counted approximately. */
const FRAME_OVERHEAD = 12;

let polyfill: Promise<EventSourceConstructor> | null = null;

/** The global EventSource (browsers, Deno, Node ≥ 22 with the flag), else the `eventsource` package, loaded on demand. */
async function eventSourceClass(override?: EventSourceConstructor): Promise<{ Ctor: EventSourceConstructor; native: boolean }> {
  if (override) return { Ctor: override, native: false };
  const global = (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
  if (global) return { Ctor: global, native: true };
  polyfill ??= import("eventsource").then((module) => module.EventSource as unknown as EventSourceConstructor);
  return { Ctor: await polyfill, native: false };
}

function textOf(data: unknown): string {
  return typeof data === "string" ? data : "";
}

/**
 * Server-Sent Events: one `GET /v1/sse?cursor=…&ticket=…` stream. EventSource
 * cannot send headers, so each connect first gets a single-use ticket with the
 * session (`POST /v1/sse/ticket`). Because a ticket works once, EventSource's
 * own reconnect (which would replay the same URL) is cut short: on any error
 * the stream is closed and the client reconnects with backoff and a new ticket.
 * The stream counts as open at its first server frame (the service sends
 * `ready` at once). A stream that fails before opening is diagnosed with one
 * short poll, which yields the typed error (forbidden topic, expired session)
 * that EventSource hides.
 */
export class SseTransport extends BaseTransport {
  readonly name = "sse";
  private source: EventSourceLike | null = null;
  private controller: AbortController | null = null;
  /** Bumped by stop(): callbacks of a superseded stream are dropped. */
  private attempt = 0;

  constructor(
    host: TransportHost,
    private readonly settings: Pick<TransportSettings, "EventSource" | "openAtFirstFrame" | "sseHeartbeatMs">,
  ) {
    super(host);
  }

  protected start(): void {
    void this.connect(++this.attempt);
  }

  protected stop(): void {
    this.attempt++;
    this.controller?.abort();
    this.controller = null;
    this.source?.close();
    this.source = null;
  }

  private current(attempt: number): boolean {
    return attempt === this.attempt && !this.closed;
  }

  private async connect(attempt: number): Promise<void> {
    if (Object.keys(this.host.cursors()).length === 0) {
      this.announceOpen();
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    let ticket: string;
    let Ctor: EventSourceConstructor;
    let native: boolean;
    try {
      ticket = await fetchTicket(this.host, controller.signal);
      ({ Ctor, native } = await eventSourceClass(this.settings.EventSource));
    } catch (error) {
      if (this.current(attempt)) this.fail(error);
      return;
    }
    if (!this.current(attempt)) return;
    this.controller = null;
    const cursors = this.host.cursors();
    if (Object.keys(cursors).length === 0) {
      this.announceOpen();
      return;
    }
    const heartbeat: Record<string, number> = this.settings.sseHeartbeatMs === undefined ? {} : { heartbeat: this.settings.sseHeartbeatMs };
    const url = `${this.host.baseUrl}${this.subscriptionPath(HTTP_PATHS.sse, { cursor: encodeCursor(cursors), ticket, ...heartbeat })}`;
    // The ticket authenticates; no cookies needed. The polyfill gets the client's fetch.
    const source = native ? new Ctor(url) : new Ctor(url, { fetch: this.host.fetch });
    this.source = source;
    this.host.count("requests");
    let open = false;
    // "Open" is the first server frame, not EventSource's `open`: headers pass through a buffering
    // proxy while frames do not, and such a stream must count as one that failed to open.
    const firstFrame = () => {
      if (open) return;
      open = true;
      this.announceOpen();
    };

    const on = (type: string, handle: (data: string, lastEventId: string) => void) =>
      source.addEventListener(type, (event) => {
        if (!this.current(attempt)) return;
        firstFrame();
        const data = textOf(event.data);
        const dataBytes = utf8Length(data);
        this.host.count("bytesReceived", dataBytes + (event.lastEventId?.length ?? 0) + FRAME_OVERHEAD);
        const tap = this.host.wire?.();
        if (tap) tap({ kind: "sse", at: Date.now(), event: type, id: event.lastEventId ?? "", dataBytes });
        try {
          handle(data, event.lastEventId ?? "");
        } catch {
          this.fail(new ConnectionError("network", `Malformed SSE ${type} frame`));
        }
      });

    source.addEventListener("open", () => {
      if (!this.current(attempt)) return;
      this.host.wire?.()?.({ kind: "sse", at: Date.now(), event: "open", id: "", dataBytes: 0 });
      if (!this.settings.openAtFirstFrame) firstFrame();
    });
    on(SSE_EVENTS.message, (data) => this.host.event(EventEnvelope.parse(JSON.parse(data))));
    on(SSE_EVENTS.reset, (data) => this.host.reset(ResetSignal.parse(JSON.parse(data))));
    on(SSE_EVENTS.signal, (data) => this.host.signal(Signal.parse(JSON.parse(data))));
    on(SSE_EVENTS.revoked, (data) => {
      const notice = RevokedNotice.parse(JSON.parse(data));
      this.host.refused(ProtocolError.fromBody(notice.error), [notice.topic]);
    });
    on(SSE_EVENTS.ready, (data) => {
      const positions = decodeCursor(StreamReady.parse(JSON.parse(data)).cursor);
      if (positions) this.host.positions(positions);
    });
    on(SSE_EVENTS.closing, (data) => this.host.closing(ClosingNotice.parse(JSON.parse(data))));
    source.addEventListener("error", () => {
      if (!this.current(attempt)) return;
      this.host.wire?.()?.({ kind: "sse", at: Date.now(), event: "error", id: "", dataBytes: 0 });
      // Never let EventSource retry on its own: the ticket in the URL is spent.
      source.close();
      this.source = null;
      if (open) this.fail(new ConnectionError("network", "SSE stream ended"));
      else void this.diagnose(attempt, cursors);
    });
  }

  /** The stream failed before opening: one short poll tells a refusal from a network failure. */
  private async diagnose(attempt: number, cursors: CursorMap): Promise<void> {
    let error: unknown;
    try {
      error = (await this.probe(cursors)) ?? new ConnectionError("network", "SSE stream failed to open");
    } catch (probeError) {
      error = probeError;
    }
    if (!this.current(attempt)) return;
    // The probe is a short poll: short polling being switched off says nothing about SSE.
    if (error instanceof ProtocolError && error.code === "transport_disabled") error = new ConnectionError("network", "SSE stream failed to open");
    if (endsTopic(error)) {
      // The client drops the refused topics and calls update(), which reconnects.
      this.host.refused(error);
      return;
    }
    this.fail(error);
  }
}
