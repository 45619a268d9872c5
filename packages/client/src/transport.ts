import {
  VERSION_AUTH_FIELD,
  type ClosingNotice,
  type Command,
  type CommandResult,
  type CursorMap,
  type EventEnvelope,
  type ProtocolError,
  type ResetSignal,
  type Signal,
  type Topic,
} from "@repo/protocol";
import { ConnectionError } from "./errors";
import { probeSubscription, sendCommandOverHttp, subscriptionPath, type HttpContext } from "./http";
import type { Counter } from "./metrics";
import type { EventSourceConstructor } from "./transports/sse";

/** What changed in the set of followed topics since the transport last heard. */
export interface TopicChange {
  /** Topics to start following, each from its cursor (also: topics restarted from a new cursor). */
  added: CursorMap;
  /** Topics no longer followed. */
  removed: Topic[];
}

/**
 * What a transport may use and report to. The client gives each transport
 * instance its own host; once that instance is replaced (switch, reconnect,
 * close) every report through its host is ignored, so a stale transport can
 * never deliver, reset, or change the status.
 */
export interface TransportHost extends HttpContext {
  /** Where every followed topic stands now: what a (re)connect must resume from. Read it at request time. */
  cursors(): CursorMap;
  /** An event arrived (the client de-duplicates by offset and keeps order). */
  event(event: EventEnvelope): void;
  /** The server cannot continue a topic from the cursor; the client continues from `reset.position`. */
  reset(reset: ResetSignal): void;
  /** An ephemeral signal arrived (the client drops repeats by id). */
  signal(signal: Signal): void;
  /** Polls: the newest signal timestamp seen (server clock), to pass as `signals`; and its update. */
  signalsSince(): number;
  signalsSeen(since: number): void;
  /** Where the server says the subscription stands (resolves "from now" cursors; confirms topics). */
  positions(cursors: CursorMap): void;
  /** The connection works (first answer, stream open, socket subscribed); once it has stayed up a while, the backoff starts over. */
  opened(): void;
  /** Some topics were refused (forbidden, invalid); `topics` narrows which, when the transport knows. */
  refused(error: ProtocolError, topics?: Topic[]): void;
  /** The server announced it is about to drop the connection, and why. */
  closing(notice: ClosingNotice): void;
  /** The transport is dead; the client reconnects with backoff (or stops, on a fatal error). */
  failed(error: unknown): void;
  count(counter: Counter, amount?: number): void;
}

/** One way of moving events. Instances are single-use: a reconnect makes a new one. */
export interface Transport {
  readonly name: string;
  /** Commands travel over the connection itself, so sending waits for it to be open (WebSocket). */
  readonly sendsOverConnection: boolean;
  /** Starts; reads the cursors from the host. */
  open(): void;
  /** The set of followed topics changed. */
  update(change: TopicChange): void;
  /** Sends one command, one attempt; the client retries network failures with the same id. */
  send(command: Command, timeoutMs: number): Promise<CommandResult>;
  /** Stops for good, quietly (no `failed` report). */
  close(): void;
  /** Test and demo hook: drops the connection as a network failure would. */
  drop(): void;
}

/** Per-transport settings, resolved from the client options. */
export interface TransportSettings {
  /** Short polling: pause between polls when nothing more is waiting. */
  /** Short polling's pause; undefined: the one the service advises (POLL_INTERVAL_HEADER), else 1000 ms. */
  pollIntervalMs: number | undefined;
  /** Long polling: how long the server may hold a request (it caps this at its own limit). */
  longPollTimeoutMs: number;
  /** WebSocket: how long to wait for the handshake, a subscribe ack or a command ack. */
  ackTimeoutMs: number;
  /** SSE: the heartbeat gap to ask the server for; undefined: the server's. */
  sseHeartbeatMs?: number;
  /** SSE: an EventSource implementation to use instead of the global one or the `eventsource` package. */
  EventSource?: EventSourceConstructor;
  /** SSE: "open" only at the first server frame, not EventSource's `open` (the fallback chain needs it: a buffering proxy passes headers). */
  openAtFirstFrame?: boolean;
}

/** Makes one transport instance (one connection lifetime) for a client. */
export type TransportFactory = (host: TransportHost, settings: TransportSettings) => Transport;

/**
 * The shared part of every transport: the closed flag, failing exactly once,
 * reporting "opened" once, restart on topic change, the protocol version on
 * every request, the diagnostic short poll, and commands over HTTP. A
 * concrete transport fills in only its I/O: `start` and `stop` (and overrides
 * what its wire does differently).
 */
export abstract class BaseTransport implements Transport {
  abstract readonly name: string;
  readonly sendsOverConnection: boolean = false;
  protected closed = false;
  private announced = false;

  constructor(protected readonly host: TransportHost) {}

  /** Opens the connection or starts the loop, from `host.cursors()`. */
  protected abstract start(): void;
  /** Releases every request, stream, socket and timer; must make late callbacks no-ops. */
  protected abstract stop(): void;

  open(): void {
    if (!this.closed) this.start();
  }

  /** Default: restart from the current cursors (cursor-based resume makes that lossless). */
  update(_change: TopicChange): void {
    if (this.closed) return;
    this.stop();
    this.start();
  }

  send(command: Command, timeoutMs: number): Promise<CommandResult> {
    return sendCommandOverHttp(this.host, this.name, command, timeoutMs);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stop();
  }

  drop(): void {
    this.fail(new ConnectionError("network", `${this.name} connection dropped`));
  }

  /** Ends this instance and reports why, once. */
  protected fail(error: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.stop();
    this.host.failed(error);
  }

  /** Reports the connection working, once per instance (later answers say nothing new). */
  protected announceOpen(): void {
    if (this.announced || this.closed) return;
    this.announced = true;
    this.host.opened();
  }

  /** Whether `announceOpen` has happened: the first request of a connection may be treated differently. */
  protected get hasOpened(): boolean {
    return this.announced;
  }

  /** A subscription request's path with its query and the protocol version (`v`). */
  protected subscriptionPath(path: string, query: Record<string, string | number>): string {
    return subscriptionPath(this.host, path, query);
  }

  /** The socket handshake's `auth`: the version, and the token when there is one (never in the URL). */
  protected handshakeAuth(): Record<string, string | number> {
    return { [VERSION_AUTH_FIELD]: this.host.version, ...(this.host.token ? { token: this.host.token } : {}) };
  }

  /**
   * One short poll for `cursors`: what a transport whose wire hides the
   * server's answer (an EventSource that failed to open) asks to learn the
   * typed refusal. Null when served; no answer throws ConnectionError.
   */
  protected probe(cursors: CursorMap): Promise<ProtocolError | null> {
    return probeSubscription(this.host, cursors);
  }
}
