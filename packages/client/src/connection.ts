import { ERROR_POLICY, ProtocolError, type ClosingNotice, type Topic } from "@repo/protocol";
import { fullJitterDelay, type BackoffOptions } from "./backoff";
import type { ClientSink, ClientStatus } from "./client-types";
import { ConnectionError } from "./errors";
import type { HttpContext } from "./http";
import type { MetricsRecorder } from "./metrics";
import { OpenWaiters } from "./open-waiters";
import type { Subscriptions } from "./subscriptions";
import type { Transport, TransportFactory, TransportHost, TransportSettings } from "./transport";

/** A connection that stayed open this long counts as healthy: the next failure starts the backoff over. */
const STABLE_CONNECTION_MS = 5_000;

/** Errors asking again cannot help with (ERROR_POLICY `fatal`): the client stops instead of reconnecting. */
function isFatal(error: unknown): boolean {
  return error instanceof ProtocolError && ERROR_POLICY[error.code].fatal;
}

export interface ConnectionDeps {
  transports: ReadonlyMap<string, TransportFactory>;
  initialTransport: string;
  settings: TransportSettings;
  http: HttpContext;
  subscriptions: Subscriptions;
  recorder: MetricsRecorder;
  backoff: BackoffOptions;
  sink: ClientSink;
  /** A transport reported refused topics (see refusals.ts). */
  refused(generation: number, error: ProtocolError, topics?: Topic[]): void;
}

/**
 * The transport's lifecycle and the client's status: lazy start, topic
 * changes batched per tick, reconnect with full-jitter backoff from the last
 * cursors, live switch, stop on a fatal error, and fencing off stale
 * transports with a generation counter.
 */
export class Connection {
  private current: ClientStatus = "idle";
  private transportName: string;
  private transport: Transport | null = null;
  /** Bumped whenever the transport is replaced or stopped; a host whose generation differs is stale. */
  private generation = 0;
  private liveGeneration = -1;
  private attempt = 0;
  /** When the current connection opened (0: not open). */
  private openedAt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closingNotice: ClosingNotice | null = null;
  private flushQueued = false;
  private userClosed = false;
  private readonly openWaiters = new OpenWaiters();

  constructor(private readonly deps: ConnectionDeps) {
    this.transportName = this.known(deps.initialTransport);
  }

  get status(): ClientStatus {
    return this.current;
  }

  get transportInUse(): string {
    return this.transportName;
  }

  /** `close()` was called. */
  get closed(): boolean {
    return this.userClosed;
  }

  /** Throws the `closed` ConnectionError once `close()` was called. */
  assertNotClosed(): void {
    if (this.userClosed) throw new ConnectionError("closed", "The client is closed");
  }

  switchTo(name: string): void {
    this.assertNotClosed();
    this.known(name);
    if (name === this.transportName) return;
    this.transportName = name;
    if (this.transport === null) return; // not started yet: the first start uses it
    this.restart("connecting");
  }

  reconnect(): void {
    this.assertNotClosed();
    this.restart(this.transport === null ? "connecting" : "reconnecting");
  }

  drop(): void {
    if (this.transport && this.liveGeneration === this.generation) this.transport.drop();
  }

  /** Stops the client as if its connection had failed with `error` (e.g. `unsupported_version` on a command). */
  stop(error: ProtocolError): void {
    this.failed(this.generation, error);
  }

  /** Resolves once the status is `open` (rejects on close or after `timeoutMs`). */
  whenOpen(timeoutMs: number): Promise<void> {
    if (this.current === "open") return Promise.resolve();
    if (this.userClosed) return Promise.reject(new ConnectionError("closed", "The client is closed"));
    if (this.transport === null) this.start();
    return this.openWaiters.wait(timeoutMs);
  }

  /** The transport to send a command on, started if need be; one that sends over its connection must be open. */
  async transportForSend(timeoutMs: number): Promise<Transport> {
    this.assertNotClosed();
    if (this.transport === null) this.start();
    if (this.transport!.sendsOverConnection && this.current !== "open") {
      if (this.current === "closed") throw new ConnectionError("closed", "The client is stopped; call reconnect()");
      await this.whenOpen(timeoutMs);
    }
    return this.transport!;
  }

  close(): void {
    if (this.userClosed) return;
    this.userClosed = true;
    this.retire();
    this.deps.subscriptions.clear();
    this.setStatus("closed");
    this.openWaiters.rejectAll(new ConnectionError("closed", "The client is closed"));
  }

  /** The set of topics changed: tell the transport at the end of the tick (starting it on first use). */
  topicsChanged(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  failed(generation: number, error: unknown): void {
    if (generation !== this.generation || this.userClosed) return;
    const notice = this.closingNotice;
    this.retire();
    const movedTo = this.switchedOffTarget(error, notice);
    if (movedTo !== undefined) {
      // The server switched this transport off and named where to go: move there at once, cursors kept.
      const from = this.transportName;
      this.transportName = movedTo;
      this.attempt = 0;
      this.openedAt = 0;
      this.deps.recorder.add("reconnects");
      this.deps.sink.emit("moved", { from, to: movedTo, reason: "transport_disabled" });
      this.setStatus("reconnecting", error);
      this.start();
      return;
    }
    if (isFatal(error) || notice?.reason === "unauthorized") {
      this.setStatus("closed", error);
      this.deps.sink.report(error);
      const reason = error instanceof Error ? error : new ConnectionError("network", "The connection failed", { cause: error });
      this.openWaiters.rejectAll(reason);
      return;
    }
    this.setStatus("reconnecting", error);
    if (this.openedAt !== 0 && Date.now() - this.openedAt >= STABLE_CONNECTION_MS) this.attempt = 0;
    this.openedAt = 0;
    const delay = fullJitterDelay(this.attempt++, this.deps.backoff);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.deps.recorder.add("reconnects");
      this.start();
    }, delay);
  }

  /** The transport a `transport_disabled` refusal or closing notice sends this client to, when it knows it. */
  private switchedOffTarget(error: unknown, notice: ClosingNotice | null): string | undefined {
    const named =
      error instanceof ProtocolError && error.code === "transport_disabled"
        ? error.transport
        : notice?.reason === "transport_disabled"
          ? notice.transport
          : undefined;
    return named !== undefined && named !== this.transportName && this.deps.transports.has(named) ? named : undefined;
  }

  private known(name: string): string {
    if (!this.deps.transports.has(name)) throw new Error(`Unknown transport "${name}"`);
    return name;
  }

  private start(): void {
    const factory = this.deps.transports.get(this.transportName)!;
    const generation = ++this.generation;
    this.liveGeneration = generation;
    this.closingNotice = null;
    this.deps.subscriptions.toldAll();
    if (this.current === "idle" || this.current === "closed") this.setStatus("connecting");
    const transport = factory(this.hostFor(generation), this.deps.settings);
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

  private flush(): void {
    if (this.userClosed) return;
    if (this.transport === null) {
      if (this.deps.subscriptions.size > 0) this.start();
      return;
    }
    // Failed or stopped: the next transport reads every current topic when it starts.
    if (this.liveGeneration !== this.generation) return;
    const change = this.deps.subscriptions.takeChange();
    if (change) this.transport.update(change);
  }

  private setStatus(status: ClientStatus, error?: unknown): void {
    if (status === this.current) return;
    this.current = status;
    const transport = this.transportName;
    this.deps.sink.emit("status", status, error === undefined ? { transport } : { transport, error });
  }

  /** The host of one transport instance: every report is dropped once that instance is replaced. */
  private hostFor(generation: number): TransportHost {
    const live = () => generation === this.generation && !this.userClosed;
    const { subscriptions, sink } = this.deps;
    return {
      ...this.deps.http,
      cursors: () => subscriptions.cursors(),
      event: (event) => {
        if (live()) subscriptions.deliver(event);
      },
      reset: (reset) => {
        if (live()) subscriptions.applyReset(reset);
      },
      signal: (signal) => {
        if (live()) subscriptions.deliverSignal(signal);
      },
      signalsSince: () => subscriptions.newestSignal,
      signalsSeen: (since) => {
        if (live()) subscriptions.signalsSeen(since);
      },
      positions: (cursors) => {
        if (live()) subscriptions.applyPositions(cursors);
      },
      opened: () => {
        if (!live()) return;
        // The backoff resets only once the connection has proved stable (see failed()): a server
        // that accepts and then cuts at once is retried ever more slowly, not at the minimum delay.
        this.openedAt = Date.now();
        this.setStatus("open");
        this.openWaiters.resolveAll();
      },
      refused: (error, topics) => {
        if (live()) this.deps.refused(generation, error, topics);
      },
      closing: (notice) => {
        if (!live()) return;
        this.closingNotice = notice;
        sink.emit("closing", notice);
      },
      failed: (error) => this.failed(generation, error),
    };
  }
}
