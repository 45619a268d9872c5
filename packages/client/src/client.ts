import { OFREP_PATHS, OfrepBulkResponse, OfrepEvaluation, PROTOCOL_VERSION, ProtocolError, type CommandResultOf, type CursorMap, type Topic, type TransportName } from "@repo/protocol";
import type { z } from "zod";
import { DEFAULT_BACKOFF } from "./backoff";
import type {
  ClientEvents,
  ClientOptions,
  ClientSink,
  ClientStatus,
  CommandInput,
  EventHandler,
  ReadOptions,
  SubscribeOptions,
} from "./client-types";
import { CommandSender } from "./command-sender";
import { Connection } from "./connection";
import { DEFAULT_TRANSPORTS } from "./default-transports";
import { Emitter } from "./emitter";
import { FallbackChain } from "./fallback";
import { errorFromAnswer, globalFetch, httpRequest, parseJson, probeSubscription, requestJson, type HttpContext } from "./http";
import { MetricsRecorder, type ClientMetrics } from "./metrics";
import { Refusals } from "./refusals";
import { Subscriptions } from "./subscriptions";
import type { WireTap } from "./wire";

/** One bulk evaluation: every enabled flag for the user, and the tag to ask "changed since?" with. */
export interface FlagsEvaluation {
  flags: OfrepBulkResponse["flags"];
  etag: string | undefined;
}

/**
 * One client API over four transports. It composes the subscriptions (each
 * topic's cursor, de-duplication), the connection (the transport's lifecycle
 * and the status), the refusals (which topics a refusal ends) and the command
 * sender (retries with one id); see each module.
 */
export class RealtimeClient extends Emitter<ClientEvents> {
  private readonly recorder: MetricsRecorder;
  private readonly http: HttpContext;
  private readonly subscriptions: Subscriptions;
  private readonly connection: Connection;
  private readonly commands: CommandSender;
  private readonly transportNames: readonly string[];

  constructor(options: ClientOptions) {
    super();
    const transports = new Map(Object.entries(options.transports ?? DEFAULT_TRANSPORTS));
    this.transportNames = [...transports.keys()];
    this.recorder = new MetricsRecorder(options.latencyWindow ?? 1024);
    const backoff = { ...DEFAULT_BACKOFF, ...options.reconnect };
    const wireTap: WireTap = (event) => this.emit("wire", event);
    this.http = {
      baseUrl: options.url.replace(/\/+$/, ""),
      fetch: options.fetch ?? globalFetch,
      token: options.auth?.token,
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      version: options.protocolVersion ?? PROTOCOL_VERSION,
      // Traffic counts even from a transport being replaced: it was received.
      count: (counter, amount) => this.recorder.add(counter, amount),
      wire: () => (this.hasListeners("wire") ? wireTap : null),
    };
    const sink: ClientSink = {
      emit: (name, ...args) => this.emit(name, ...args),
      report: (error) => {
        if (this.hasListeners("error")) this.emit("error", error);
        else console.error("[@repo/client]", error);
      },
      listensForErrors: () => this.hasListeners("error"),
    };
    this.subscriptions = new Subscriptions(sink, this.recorder, () => this.connection.topicsChanged());
    const refusals = new Refusals({
      subscriptions: this.subscriptions,
      probe: (cursors) => probeSubscription(this.http, cursors),
      closed: () => this.connection.closed,
      failed: (generation, error) => this.connection.failed(generation, error),
    });
    this.connection = new Connection({
      transports,
      initialTransport: options.transport,
      settings: {
        pollIntervalMs: options.pollIntervalMs,
        longPollTimeoutMs: options.longPollTimeoutMs ?? 25_000,
        ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
        EventSource: options.EventSource,
        sseHeartbeatMs: options.sseHeartbeatMs,
        openAtFirstFrame: options.fallback !== undefined,
      },
      http: this.http,
      subscriptions: this.subscriptions,
      recorder: this.recorder,
      backoff,
      sink,
      fallback: options.fallback ? new FallbackChain(options.fallback, { http: this.http, known: (name) => transports.has(name) }) : null,
      refused: (generation, error, topics) => refusals.refuse(generation, error, topics),
    });
    this.commands = new CommandSender(this.connection, this.recorder, {
      timeoutMs: options.commandTimeoutMs ?? 10_000,
      retries: options.commandRetries ?? 4,
      backoff,
    });
  }

  /** Current connection status. */
  get status(): ClientStatus {
    return this.connection.status;
  }

  /** Name of the current transport (with a fallback chain, maybe not the one asked for: see `moved`). */
  get transportInUse(): string {
    return this.connection.transportInUse;
  }

  /** The transport asked for (start, switchTransport, or where the server sent it); `transportInUse` may be a fallback. */
  get transportWanted(): string {
    return this.connection.transportWanted;
  }

  /** Names of the transports this client may switch to. */
  get transports(): readonly string[] {
    return this.transportNames;
  }

  /**
   * Follows a topic. Events arrive in offset order, each once, across
   * reconnects and transport switches. Returns the unsubscribe.
   */
  subscribe<TPayload = unknown>(topic: Topic, onEvent: EventHandler<TPayload>, options: SubscribeOptions = {}): () => void {
    this.connection.assertNotClosed();
    return this.subscriptions.add(topic, onEvent as EventHandler, options);
  }

  /**
   * Sends a command and resolves with its typed result. A lost answer
   * (network failure, timeout) is retried with the same id, which the server
   * treats as an idempotency key: one effect, the first result. A refusal
   * rejects with a `ProtocolError` (`validation`, `forbidden`,
   * `payload_too_large`, `rate_limited`…); no answer after the retries rejects
   * with a `ConnectionError`.
   */
  send<C extends CommandInput>(input: C): Promise<CommandResultOf<C["type"]>> {
    return this.commands.send(input);
  }

  /**
   * A typed HTTP read of the service (`path` from HTTP_PATHS or a feature's
   * paths), with this client's auth and protocol version: the body parsed with
   * `schema`. Rejects with a `ProtocolError` (typed refusal) or a
   * `ConnectionError` (no answer), as `send` does.
   */
  /**
   * One flag's evaluation for this client's user, over the service's OFREP
   * endpoint (`context.targetingKey` must be the signed-in user's id).
   */
  async evaluateFlag(key: string, context: { targetingKey: string }, options: ReadOptions = {}): Promise<OfrepEvaluation> {
    this.connection.assertNotClosed();
    return requestJson(this.http, OFREP_PATHS.single(key), OfrepEvaluation, { ...options, method: "POST", json: { context } });
  }

  /**
   * Every enabled flag for this client's user in one request (OFREP bulk).
   * Pass the `etag` of an earlier answer: when nothing changed for this user
   * the service answers 304 and this resolves with `null` (keep the earlier flags).
   */
  async evaluateFlags(context: { targetingKey: string }, options: ReadOptions & { etag?: string } = {}): Promise<FlagsEvaluation | null> {
    this.connection.assertNotClosed();
    const { etag, ...read } = options;
    const answer = await httpRequest(this.http, OFREP_PATHS.bulk, {
      ...read,
      method: "POST",
      body: JSON.stringify({ context }),
      headers: { "content-type": "application/json", ...(etag === undefined ? {} : { "if-none-match": etag }) },
    });
    if (answer.status === 304 && etag !== undefined) return null;
    if (answer.status !== 200) throw errorFromAnswer(answer);
    const parsed = OfrepBulkResponse.safeParse(parseJson(answer.text));
    if (!parsed.success) throw new ProtocolError("internal", `Unexpected answer from POST ${OFREP_PATHS.bulk}`);
    return { flags: parsed.data.flags, etag: answer.headers.get("etag") ?? undefined };
  }

  async get<S extends z.ZodType>(path: string, schema: S, options: ReadOptions = {}): Promise<z.output<S>> {
    this.connection.assertNotClosed();
    try {
      return await requestJson(this.http, path, schema, options);
    } catch (error) {
      // The server cannot serve this client at all: stop it, as a refused subscription would.
      if (error instanceof ProtocolError && error.code === "unsupported_version") this.connection.stop(error);
      throw error;
    }
  }

  /**
   * Moves every subscription to another transport, live. The new transport
   * starts from the cursors the old one reached; the old one is closed and
   * anything it still reports is ignored. Nothing is lost or repeated.
   */
  switchTransport(name: TransportName | (string & {})): void {
    this.connection.switchTo(name);
  }

  /** Reconnects now (e.g. after signing in again following an `unauthorized` stop); resets the backoff. */
  reconnect(): void {
    this.connection.reconnect();
  }

  /** Test and demo hook: drops the current connection as a network failure would (the client reconnects). */
  dropConnection(): void {
    this.connection.drop();
  }

  /** Where each followed topic stands: pass a position back as `cursor` to resume after a reload. */
  cursors(): CursorMap {
    return this.subscriptions.cursors();
  }

  metrics(): ClientMetrics {
    return this.recorder.snapshot(this.connection.transportInUse, this.connection.status);
  }

  /** Resolves once the status is `open` (rejects on close or after `timeoutMs`). */
  whenOpen(timeoutMs = 30_000): Promise<void> {
    return this.connection.whenOpen(timeoutMs);
  }

  /** Closes the connection and ends every subscription. */
  close(): void {
    this.connection.close();
  }
}

/** Creates a client; nothing connects until the first `subscribe` or `send`. */
export function createClient(options: ClientOptions): RealtimeClient {
  return new RealtimeClient(options);
}
