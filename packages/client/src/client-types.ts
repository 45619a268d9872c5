import type {
  ClosingNotice,
  Command,
  CommandType,
  EventEnvelope,
  Position,
  ProtocolError,
  ResetSignal,
  Signal,
  TransportName,
} from "@repo/protocol";
import type { BackoffOptions } from "./backoff";
import type { FallbackOptions, MoveReason } from "./fallback";
import type { FetchLike } from "./http";
import type { TransportFactory } from "./transport";
import type { EventSourceConstructor } from "./transports/sse";
import type { WireEvent } from "./wire";

/**
 * - `idle`: nothing subscribed or sent yet, no connection.
 * - `connecting`: the first connection (or one after a switch) is being made.
 * - `open`: the transport works (first answer, stream open, socket subscribed).
 * - `reconnecting`: the connection failed; waiting out the backoff or retrying.
 * - `closed`: `close()` was called, or a fatal error (session expired) stopped it; see the detail.
 */
export type ClientStatus = "idle" | "connecting" | "open" | "reconnecting" | "closed";

export interface ClientOptions {
  /** Base URL of the realtime service, e.g. `http://localhost:4000`. */
  url: string;
  /** Which transport to start with (see `switchTransport`). */
  transport: TransportName | (string & {});
  /**
   * The transports this client may use, by name. Default: the four built in
   * (`DEFAULT_TRANSPORTS`); add one with `{ ...DEFAULT_TRANSPORTS, name: factory }`.
   */
  transports?: Readonly<Record<string, TransportFactory>>;
  /** Bearer session token (Node, native apps). Without it, requests carry cookies (`credentials: "include"`). */
  auth?: { token: string };
  /** fetch implementation (default: the global one). Also used by the `eventsource` package for SSE. */
  fetch?: FetchLike;
  /**
   * Short polling: pause between polls when nothing more is waiting. Default:
   * what the service advises on each answer (its `polling.interval-ms` flag), or 1000.
   */
  pollIntervalMs?: number;
  /** Long polling: how long the server may hold a request. Default 25000 (the server caps it). */
  longPollTimeoutMs?: number;
  /**
   * SSE: ask the server for a heartbeat at least this often (ms; it honours only shorter
   * than its own, 1000 at least). For a proxy whose idle timeout is shorter than the
   * server's heartbeat. Default: the server's.
   */
  sseHeartbeatMs?: number;
  /** Timeout of ordinary HTTP requests (short polls, tickets, reads). Default 15000. */
  requestTimeoutMs?: number;
  /** WebSocket: handshake and subscribe-ack timeout. Default 10000. */
  ackTimeoutMs?: number;
  /** Timeout of one command attempt. Default 10000. */
  commandTimeoutMs?: number;
  /** Extra attempts for a command whose answer was lost (same id each time). Default 4. */
  commandRetries?: number;
  /** Full-jitter exponential backoff between reconnects and command retries. Default 500 ms → 30 s (`jitter: false` only to demonstrate a storm). */
  reconnect?: Partial<BackoffOptions>;
  /** Latency samples kept for the percentiles. Default 1024. */
  latencyWindow?: number;
  /** SSE: an EventSource implementation to use instead of the global one or the `eventsource` package. */
  EventSource?: EventSourceConstructor;
  /**
   * The protocol version to claim. Default (and the only sensible value in an
   * app): `PROTOCOL_VERSION`, the one this SDK speaks. Tests set another to
   * play an out-of-date client against a real server.
   */
  protocolVersion?: number;
  /**
   * Opt in to the automatic fallback chain: a transport that will not open
   * while the service answers plain HTTP (a proxy refusing the WebSocket
   * upgrade, buffering SSE) is left for the next one in the chain, what
   * worked is remembered (`browserFallbackMemory()` per browser), and the
   * wanted transport is tried again later. Off by default.
   */
  fallback?: FallbackOptions;
}

export interface SubscribeOptions {
  /**
   * Where to start: the position of the last event already seen (its epoch and
   * offset), or null / absent for "from now". Applies when the topic is first
   * followed; another subscriber of a followed topic joins at its current position.
   */
  cursor?: Position | null;
  /** The server could not continue from the cursor (history lost): refetch this topic's state. */
  onReset?: (reset: ResetSignal) => void;
  /** The topic was refused (not allowed, invalid); the subscription has ended. */
  onError?: (error: ProtocolError) => void;
  /** Ephemeral signals on the topic ("typing…"): live only, never replayed, may be missed across a reconnect. */
  onSignal?: (signal: Signal) => void;
}

/** Options of one HTTP read (`client.get`, the service API). */
export interface ReadOptions {
  signal?: AbortSignal;
  /** Default: the client's `requestTimeoutMs` (the service API's `timeoutMs`). */
  timeoutMs?: number;
}

export type EventHandler<TPayload = unknown> = (event: EventEnvelope<TPayload>) => void;

/** A command without an id gets a fresh one; pass an id to make a retry across reloads idempotent. */
export type CommandInput = {
  [T in CommandType]: Omit<Extract<Command, { type: T }>, "id"> & { id?: string };
}[CommandType];

export type ClientEvents = {
  status: (status: ClientStatus, detail: { transport: string; error?: unknown }) => void;
  /** Every event delivered, whatever the topic (after de-duplication). */
  event: (event: EventEnvelope) => void;
  /** Every signal delivered, whatever the topic. */
  signal: (signal: Signal) => void;
  reset: (reset: ResetSignal) => void;
  /** The server announced it is dropping the connection, and why (the client reconnects unless the reason is `unauthorized`). */
  closing: (notice: ClosingNotice) => void;
  /**
   * The client moved to another transport on its own: the server switched the
   * current one off and named where to go (`transport_disabled`); the wanted
   * transport would not open and the chain moved on, or this browser
   * remembered it blocked and started on what worked (`fallback`); or a try
   * of the wanted transport opened and the client went back to it (`upgrade`).
   * `status` events follow as usual; `transportInUse` now says `to`.
   */
  moved: (change: { from: string; to: string; reason: MoveReason }) => void;
  /** Refused topics, fatal errors, and exceptions thrown by event handlers. */
  error: (error: unknown) => void;
  /**
   * Wire debug events: each HTTP request, SSE frame and socket.io packet as it
   * happens (see wire.ts). Off until the first listener; costs nothing without one.
   */
  wire: (event: WireEvent) => void;
};

/** How the client's parts emit its events and report errors nobody handled. */
export interface ClientSink {
  emit<K extends keyof ClientEvents>(name: K, ...args: Parameters<ClientEvents[K]>): void;
  /** To the `error` listeners, or the console when there are none. */
  report(error: unknown): void;
  /** Whether anyone listens for `error`. */
  listensForErrors(): boolean;
}
