import {
  CommandResults,
  MAX_COMMAND_BYTES,
  MAX_TOPICS_PER_SUBSCRIPTION,
  Position,
  ProtocolError,
  Topic,
  type ClosingNotice,
  type Command,
  type CommandResultOf,
  type CommandType,
  type CursorMap,
  type EventEnvelope,
  type ResetSignal,
  type Signal,
  type TransportName,
  encodeCursor,
} from "@repo/protocol";
import { DEFAULT_BACKOFF, fullJitterDelay, type BackoffOptions } from "./backoff";
import { createCommandId } from "./command-id";
import { Emitter } from "./emitter";
import { ConnectionError } from "./errors";
import { errorFromAnswer, httpRequest, isTopicRefusal, type FetchLike, type HttpContext } from "./http";
import { MetricsRecorder, type ClientMetrics } from "./metrics";
import { transportFactory, type TransportSettings } from "./registry";
import type { Transport, TransportHost } from "./transport";
import type { EventSourceConstructor } from "./transports/sse";
import { utf8Length } from "./utf8";

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
  /** Bearer session token (Node, native apps). Without it, requests carry cookies (`credentials: "include"`). */
  auth?: { token: string };
  /** fetch implementation (default: the global one). Also used by the `eventsource` package for SSE. */
  fetch?: FetchLike;
  /** Short polling: pause between polls when nothing more is waiting. Default 1000. */
  pollIntervalMs?: number;
  /** Long polling: how long the server may hold a request. Default 25000 (the server caps it). */
  longPollTimeoutMs?: number;
  /** Timeout of ordinary HTTP requests (short polls, tickets). Default 15000. */
  requestTimeoutMs?: number;
  /** WebSocket: handshake and subscribe-ack timeout. Default 10000. */
  ackTimeoutMs?: number;
  /** Timeout of one command attempt. Default 10000. */
  commandTimeoutMs?: number;
  /** Extra attempts for a command whose answer was lost (same id each time). Default 4. */
  commandRetries?: number;
  /** Full-jitter exponential backoff between reconnects and command retries. Default 500 ms → 30 s. */
  reconnect?: Partial<BackoffOptions>;
  /** Latency samples kept for the percentiles. Default 1024. */
  latencyWindow?: number;
  /** SSE: an EventSource implementation to use instead of the global one or the `eventsource` package. */
  EventSource?: EventSourceConstructor;
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
  /** Refused topics, fatal errors, and exceptions thrown by event handlers. */
  error: (error: unknown) => void;
};

interface Listener {
  onEvent: EventHandler;
  onReset?: (reset: ResetSignal) => void;
  onError?: (error: ProtocolError) => void;
  onSignal?: (signal: Signal) => void;
}

/** Signal ids remembered to drop repeats (polls re-send unexpired signals; a switch may overlap). */
const SIGNAL_IDS_KEPT = 512;

interface TopicState {
  /** Last event seen (or where a reset moved us); null: from now, nothing seen yet. */
  position: Position | null;
  listeners: Set<Listener>;
}

/** Refusal codes that end a connection for good (the app has to act), rather than retrying. */
/** A connection that stayed open this long counts as healthy: the next failure starts the backoff over. */
const STABLE_CONNECTION_MS = 5_000;

const FATAL_CODES = new Set(["unauthorized", "forbidden", "validation", "not_found", "payload_too_large"]);

function isFatal(error: unknown): boolean {
  return error instanceof ProtocolError && FATAL_CODES.has(error.code);
}

function samePosition(a: Position | null, b: Position): boolean {
  return a !== null && a.epoch === b.epoch && a.offset === b.offset;
}

/**
 * One client API over four transports. Holds the subscriptions and the cursor
 * of every topic, de-duplicates events by offset, and owns the transport's
 * lifecycle: lazy start, topic changes, reconnect with full-jitter backoff from
 * the last cursors, live switching, and fencing off stale transports with a
 * generation counter.
 */
export class RealtimeClient extends Emitter<ClientEvents> {
  private readonly topics = new Map<Topic, TopicState>();
  /** What the live transport was last told about (to compute topic changes). */
  private told = new Map<Topic, TopicState>();
  private readonly recorder: MetricsRecorder;
  private readonly backoff: BackoffOptions;
  private readonly settings: TransportSettings;
  private readonly http: HttpContext;
  private transportName: string;
  private transport: Transport | null = null;
  /** Bumped whenever the transport is replaced or stopped; a host whose generation differs is stale. */
  private generation = 0;
  private liveGeneration = -1;
  private currentStatus: ClientStatus = "idle";
  private attempt = 0;
  /** When the current connection opened (0: not open). */
  private openedAt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closingNotice: ClosingNotice | null = null;
  private flushQueued = false;
  private userClosed = false;
  private readonly openWaiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  private readonly recentSignalIds = new Set<string>();
  /** Newest signal timestamp seen (server clock): polls ask only for newer ones. */
  private newestSignal = 0;

  constructor(private readonly options: ClientOptions) {
    super();
    if (!transportFactory(options.transport)) throw new Error(`Unknown transport "${options.transport}"`);
    this.transportName = options.transport;
    this.recorder = new MetricsRecorder(options.latencyWindow ?? 1024);
    this.backoff = { ...DEFAULT_BACKOFF, ...options.reconnect };
    this.settings = {
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      longPollTimeoutMs: options.longPollTimeoutMs ?? 25_000,
      ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
      EventSource: options.EventSource,
    };
    this.http = {
      baseUrl: options.url.replace(/\/+$/, ""),
      // Browsers require the global fetch to be called on the global object.
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      token: options.auth?.token,
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      // Traffic counts even from a transport being replaced: it was received.
      count: (counter, amount) => this.recorder.add(counter, amount),
    };
  }

  /** Current connection status. */
  get status(): ClientStatus {
    return this.currentStatus;
  }

  /** Name of the current transport. */
  get transportInUse(): string {
    return this.transportName;
  }

  /**
   * Follows a topic. Events arrive in offset order, each once, across
   * reconnects and transport switches. Returns the unsubscribe.
   */
  subscribe<TPayload = unknown>(topic: Topic, onEvent: EventHandler<TPayload>, options: SubscribeOptions = {}): () => void {
    if (this.userClosed) throw new ConnectionError("closed", "The client is closed");
    if (!Topic.safeParse(topic).success) throw new ProtocolError("validation", `Invalid topic "${topic}"`);
    let state = this.topics.get(topic);
    if (!state) {
      if (this.topics.size >= MAX_TOPICS_PER_SUBSCRIPTION) {
        throw new ProtocolError("validation", `Follow at most ${MAX_TOPICS_PER_SUBSCRIPTION} topics per client`);
      }
      const cursor = options.cursor ?? null;
      if (cursor !== null && !Position.safeParse(cursor).success) throw new ProtocolError("validation", "Invalid cursor");
      state = { position: cursor === null ? null : { epoch: cursor.epoch, offset: cursor.offset }, listeners: new Set() };
      this.topics.set(topic, state);
    }
    const listener: Listener = {
      onEvent: onEvent as EventHandler,
      onReset: options.onReset,
      onError: options.onError,
      onSignal: options.onSignal,
    };
    const subscribed = state;
    subscribed.listeners.add(listener);
    this.scheduleFlush();
    return () => {
      if (!subscribed.listeners.delete(listener)) return;
      if (subscribed.listeners.size === 0 && this.topics.get(topic) === subscribed) {
        this.topics.delete(topic);
        this.scheduleFlush();
      }
    };
  }

  /**
   * Sends a command and resolves with its typed result. A lost answer
   * (network failure, timeout) is retried with the same id, which the server
   * treats as an idempotency key: one effect, the first result. A refusal
   * rejects with a `ProtocolError` (`validation`, `forbidden`,
   * `payload_too_large`, `rate_limited`…); no answer after the retries rejects
   * with a `ConnectionError`.
   */
  async send<C extends CommandInput>(input: C): Promise<CommandResultOf<C["type"]>> {
    const command: Command = { ...input, id: input.id ?? createCommandId() };
    if (utf8Length(JSON.stringify(command)) > MAX_COMMAND_BYTES) {
      throw new ProtocolError("payload_too_large", `Commands are limited to ${MAX_COMMAND_BYTES} bytes`);
    }
    const timeoutMs = this.options.commandTimeoutMs ?? 10_000;
    const retries = this.options.commandRetries ?? 4;
    for (let attempt = 0; ; attempt++) {
      try {
        const transport = await this.transportForSend(timeoutMs);
        this.recorder.add("commands");
        const answer = await transport.send(command, timeoutMs);
        if (!answer.ok) throw ProtocolError.fromBody(answer.error);
        const schema = CommandResults[command.type];
        const parsed = schema.safeParse(answer.result);
        if (!parsed.success) throw new ProtocolError("internal", `Unexpected ${command.type} result`);
        return parsed.data as CommandResultOf<C["type"]>;
      } catch (error) {
        const retryable = error instanceof ConnectionError && error.code !== "closed" && !this.userClosed;
        if (!retryable || attempt >= retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, fullJitterDelay(attempt, this.backoff)));
        if (this.userClosed) throw new ConnectionError("closed", "The client is closed");
      }
    }
  }

  /**
   * Moves every subscription to another transport, live. The new transport
   * starts from the cursors the old one reached; the old one is closed and
   * anything it still reports is ignored. Nothing is lost or repeated.
   */
  switchTransport(name: TransportName | (string & {})): void {
    if (this.userClosed) throw new ConnectionError("closed", "The client is closed");
    if (!transportFactory(name)) throw new Error(`Unknown transport "${name}"`);
    if (name === this.transportName) return;
    this.transportName = name;
    if (this.transport === null) return; // not started yet: the first start uses it
    this.restart("connecting");
  }

  /** Reconnects now (e.g. after signing in again following an `unauthorized` stop); resets the backoff. */
  reconnect(): void {
    if (this.userClosed) throw new ConnectionError("closed", "The client is closed");
    this.restart(this.transport === null ? "connecting" : "reconnecting");
  }

  /** Test and demo hook: drops the current connection as a network failure would (the client reconnects). */
  dropConnection(): void {
    if (this.transport && this.liveGeneration === this.generation) this.transport.drop();
  }

  /** Where each followed topic stands: pass a position back as `cursor` to resume after a reload. */
  cursors(): CursorMap {
    const out: CursorMap = {};
    for (const [topic, state] of this.topics) out[topic] = state.position ? { ...state.position } : null;
    return out;
  }

  metrics(): ClientMetrics {
    return this.recorder.snapshot(this.transportName, this.currentStatus);
  }

  /** Resolves once the status is `open` (rejects on close or after `timeoutMs`). */
  whenOpen(timeoutMs = 30_000): Promise<void> {
    if (this.currentStatus === "open") return Promise.resolve();
    if (this.userClosed) return Promise.reject(new ConnectionError("closed", "The client is closed"));
    if (this.transport === null) this.start();
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          this.openWaiters.delete(waiter);
          resolve();
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          this.openWaiters.delete(waiter);
          reject(error);
        },
      };
      const timer = setTimeout(() => waiter.reject(new ConnectionError("timeout", "Not connected in time")), timeoutMs);
      this.openWaiters.add(waiter);
    });
  }

  /** Closes the connection and ends every subscription. */
  close(): void {
    if (this.userClosed) return;
    this.userClosed = true;
    this.retire();
    this.topics.clear();
    this.setStatus("closed");
    for (const waiter of [...this.openWaiters]) waiter.reject(new ConnectionError("closed", "The client is closed"));
  }

  // ---- lifecycle -------------------------------------------------------------------------

  private start(): void {
    const factory = transportFactory(this.transportName)!;
    const generation = ++this.generation;
    this.liveGeneration = generation;
    this.closingNotice = null;
    this.told = new Map(this.topics);
    if (this.currentStatus === "idle" || this.currentStatus === "closed") this.setStatus("connecting");
    const transport = factory(this.hostFor(generation), this.settings);
    this.transport = transport;
    transport.open();
  }

  /** Fences off the current transport: closes it; anything it still reports is ignored. */
  private retire(): void {
    this.generation++;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.transport?.close();
  }

  private restart(status: ClientStatus): void {
    this.retire();
    this.attempt = 0;
    this.setStatus(status);
    this.start();
  }

  private failed(generation: number, error: unknown): void {
    if (generation !== this.generation || this.userClosed) return;
    const notice = this.closingNotice;
    this.retire();
    if (isFatal(error) || notice?.reason === "unauthorized") {
      this.setStatus("closed", error);
      this.report(error);
      const reason = error instanceof Error ? error : new ConnectionError("network", "The connection failed", { cause: error });
      for (const waiter of [...this.openWaiters]) waiter.reject(reason);
      return;
    }
    this.setStatus("reconnecting", error);
    if (this.openedAt !== 0 && Date.now() - this.openedAt >= STABLE_CONNECTION_MS) this.attempt = 0;
    this.openedAt = 0;
    const delay = fullJitterDelay(this.attempt++, this.backoff);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.recorder.add("reconnects");
      this.start();
    }, delay);
  }

  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  /** Tells the transport what changed in the topic set (starting it on first use). */
  private flush(): void {
    if (this.userClosed) return;
    if (this.transport === null) {
      if (this.topics.size > 0) this.start();
      return;
    }
    // Failed or stopped: the next transport reads every current topic when it starts.
    if (this.liveGeneration !== this.generation) return;
    const added: CursorMap = {};
    const removed: Topic[] = [];
    for (const [topic, state] of this.topics) if (this.told.get(topic) !== state) added[topic] = state.position;
    for (const topic of this.told.keys()) if (!this.topics.has(topic)) removed.push(topic);
    if (Object.keys(added).length === 0 && removed.length === 0) return;
    this.told = new Map(this.topics);
    this.transport.update({ added, removed });
  }

  private async transportForSend(timeoutMs: number): Promise<Transport> {
    if (this.userClosed) throw new ConnectionError("closed", "The client is closed");
    if (this.transport === null) this.start();
    if (this.transport!.sendsOverConnection && this.currentStatus !== "open") {
      if (this.currentStatus === "closed") throw new ConnectionError("closed", "The client is stopped; call reconnect()");
      await this.whenOpen(timeoutMs);
    }
    return this.transport!;
  }

  private setStatus(status: ClientStatus, error?: unknown): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.emit("status", status, error === undefined ? { transport: this.transportName } : { transport: this.transportName, error });
  }

  private report(error: unknown): void {
    if (this.hasListeners("error")) this.emit("error", error);
    else console.error("[@repo/client]", error);
  }

  // ---- what transports report --------------------------------------------------------------

  private hostFor(generation: number): TransportHost {
    const live = () => generation === this.generation && !this.userClosed;
    return {
      ...this.http,
      cursors: () => this.cursors(),
      event: (event) => {
        if (live()) this.deliver(event);
      },
      reset: (reset) => {
        if (live()) this.applyReset(reset);
      },
      signal: (signal) => {
        if (live()) this.deliverSignal(signal);
      },
      signalsSince: () => this.newestSignal,
      signalsSeen: (since) => {
        if (live()) this.newestSignal = Math.max(this.newestSignal, since);
      },
      positions: (cursors) => {
        if (live()) this.applyPositions(cursors);
      },
      opened: () => {
        if (!live()) return;
        // The backoff resets only once the connection has proved stable (see failed()): a server
        // that accepts and then cuts at once is retried ever more slowly, not at the minimum delay.
        this.openedAt = Date.now();
        this.setStatus("open");
        for (const waiter of [...this.openWaiters]) waiter.resolve();
      },
      refused: (error, topics) => {
        if (live()) this.refuse(generation, error, topics);
      },
      closing: (notice) => {
        if (!live()) return;
        this.closingNotice = notice;
        this.emit("closing", notice);
      },
      failed: (error) => this.failed(generation, error),
    };
  }

  /** Delivers an event once, in offset order: anything at or before the topic's cursor (or of another epoch) is a duplicate. */
  private deliver(event: EventEnvelope): void {
    const state = this.topics.get(event.topic);
    if (!state) return;
    const at = state.position;
    if (at && (event.epoch !== at.epoch || event.offset <= at.offset)) {
      this.recorder.add("duplicates");
      return;
    }
    state.position = { epoch: event.epoch, offset: event.offset };
    this.recorder.add("events");
    this.recorder.latency(Date.now() - event.ts);
    for (const listener of [...state.listeners]) {
      try {
        listener.onEvent(event);
      } catch (error) {
        this.report(error);
      }
    }
    this.emit("event", event);
  }

  private deliverSignal(signal: Signal): void {
    const state = this.topics.get(signal.topic);
    if (!state || this.recentSignalIds.has(signal.id)) return;
    this.recentSignalIds.add(signal.id);
    if (this.recentSignalIds.size > SIGNAL_IDS_KEPT) this.recentSignalIds.delete(this.recentSignalIds.values().next().value!);
    // newestSignal follows only the server's poll cursor: a signal's own ts could skip
    // another stamped in the same millisecond. Re-sent signals are dropped by id above.
    this.recorder.add("signals");
    for (const listener of [...state.listeners]) {
      try {
        listener.onSignal?.(signal);
      } catch (error) {
        this.report(error);
      }
    }
    this.emit("signal", signal);
  }

  private applyReset(reset: ResetSignal): void {
    const state = this.topics.get(reset.topic);
    if (!state || samePosition(state.position, reset.position)) return;
    state.position = { ...reset.position };
    this.recorder.add("resets");
    for (const listener of [...state.listeners]) {
      try {
        listener.onReset?.(reset);
      } catch (error) {
        this.report(error);
      }
    }
    this.emit("reset", reset);
  }

  /** Pins "from now" cursors to the positions the server reports. */
  private applyPositions(cursors: CursorMap): void {
    for (const [topic, position] of Object.entries(cursors)) {
      const state = this.topics.get(topic);
      if (state && state.position === null && position) state.position = { epoch: position.epoch, offset: position.offset };
    }
  }

  /**
   * Some topics were refused. Which ones: those the error names (issue paths,
   * or words of the message, as in "Not allowed to read chat:r1"), else the
   * transport's hint (the batch it asked for). When neither tells, each
   * followed topic is probed alone with one short poll. Refused subscriptions
   * end with `onError`; the others carry on.
   */
  private refuse(generation: number, error: ProtocolError, hint?: Topic[]): void {
    const words = new Set(error.message.split(/\s+/));
    const named = [
      ...(error.issues ?? []).flatMap((issue) => issue.path.filter((part): part is string => typeof part === "string")),
      ...[...this.topics.keys()].filter((topic) => words.has(topic)),
    ].filter((topic) => this.topics.has(topic));
    const refused = named.length > 0 ? named : (hint ?? []).filter((topic) => this.topics.has(topic));
    if (refused.length > 0) this.endTopics([...new Set(refused)].map((topic) => [topic, error]));
    else void this.probeRefusals(generation, error);
  }

  private async probeRefusals(generation: number, error: ProtocolError): Promise<void> {
    const found: Array<[Topic, ProtocolError]> = [];
    await Promise.all(
      [...this.topics].map(async ([topic, state]) => {
        try {
          const answer = await httpRequest(this.http, `/v1/poll?cursor=${encodeURIComponent(encodeCursor({ [topic]: state.position }))}`);
          const refusal = answer.status === 200 || answer.status === 304 ? null : errorFromAnswer(answer);
          if (isTopicRefusal(refusal)) found.push([topic, refusal]);
        } catch {
          // Unreachable now: the reconnect below finds out.
        }
      }),
    );
    if (this.userClosed) return;
    const refused = found.filter(([topic]) => this.topics.has(topic));
    if (refused.length > 0) this.endTopics(refused);
    else this.failed(generation, new ConnectionError("network", `Refused, but no topic on its own: ${error.message}`));
  }

  /** Ends refused subscriptions with `onError`; the transport is told they are gone. */
  private endTopics(refused: Array<[Topic, ProtocolError]>): void {
    let handled = false;
    for (const [topic, error] of refused) {
      const state = this.topics.get(topic);
      if (!state) continue;
      this.topics.delete(topic);
      // The transport may have sent it before being told: make the next flush report it removed.
      this.told.set(topic, state);
      for (const listener of state.listeners) {
        if (!listener.onError) continue;
        handled = true;
        try {
          listener.onError(error);
        } catch (thrown) {
          this.report(thrown);
        }
      }
    }
    const first = refused[0]![1];
    if (this.hasListeners("error")) this.emit("error", first);
    else if (!handled) this.report(first);
    this.scheduleFlush();
  }
}

/** Creates a client; nothing connects until the first `subscribe` or `send`. */
export function createClient(options: ClientOptions): RealtimeClient {
  return new RealtimeClient(options);
}
