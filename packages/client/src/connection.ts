import { ERROR_POLICY, ProtocolError, type ClosingNotice, type Topic } from "@repo/protocol";
import { backoffDelay, type BackoffOptions } from "./backoff";
import type { ClientSink, ClientStatus } from "./client-types";
import { ConnectionError } from "./errors";
import { OpenTimeoutError, isOpenFailure, probeTransport, type FallbackChain, type MoveReason } from "./fallback";
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
  /** The fallback chain, when the client opted in (ClientOptions.fallback). */
  fallback: FallbackChain | null;
  /** A transport reported refused topics (see refusals.ts). */
  refused(generation: number, error: ProtocolError, topics?: Topic[]): void;
}

/**
 * The transport's lifecycle and the client's status: lazy start, topic
 * changes batched per tick, reconnect with full-jitter backoff from the last
 * cursors, live switch, stop on a fatal error, and fencing off stale
 * transports with a generation counter. With a fallback chain: a transport
 * that will not open while the service answers HTTP is left for the next
 * candidate, and the wanted one is tried again later (see fallback.ts).
 */
export class Connection {
  private current: ClientStatus = "idle";
  private transportName: string;
  /** The transport the app asked for (start, switchTransport, or where the server sent it); transportName may be a fallback. */
  private wanted: string;
  private transport: Transport | null = null;
  /** Bumped whenever the transport is replaced or stopped; a host whose generation differs is stale. */
  private generation = 0;
  private liveGeneration = -1;
  private attempt = 0;
  /** When the current connection opened (0: not open). */
  private openedAt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  /** Fallback: the current transport must open before this fires. */
  private openTimer: ReturnType<typeof setTimeout> | null = null;
  /** Fallback: when to try the wanted transport again. */
  private upgradeTimer: ReturnType<typeof setTimeout> | null = null;
  private stopProbe: (() => void) | null = null;
  /** A remembered fallback chosen before anyone could listen: announced when the transport starts. */
  private pendingMove: { from: string; to: string } | null = null;
  private closingNotice: ClosingNotice | null = null;
  private flushQueued = false;
  private userClosed = false;
  private readonly openWaiters = new OpenWaiters();

  constructor(private readonly deps: ConnectionDeps) {
    this.wanted = this.known(deps.initialTransport);
    this.transportName = this.startingTransport(this.wanted);
  }

  get status(): ClientStatus {
    return this.current;
  }

  get transportInUse(): string {
    return this.transportName;
  }

  /** The transport asked for; with a fallback chain the one in use may differ until an upgrade succeeds. */
  get transportWanted(): string {
    return this.wanted;
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
    if (name === this.wanted && name === this.transportName) return;
    this.wanted = name;
    const to = this.startingTransport(name);
    if (to === this.transportName) {
      // Already there (e.g. wanting what this browser falls back to anyway): only the upgrade plan changes.
      if (this.transport !== null) this.pendingMove = null;
      this.clearUpgrade();
      if (this.current === "open") this.planUpgrade();
      return;
    }
    this.transportName = to;
    if (this.transport === null) return; // not started yet: the first start uses it
    this.restart("connecting");
  }

  /** Where to start for `wanted`: itself, or what this browser remembers worked instead. */
  private startingTransport(wanted: string): string {
    const fallback = this.deps.fallback;
    if (!fallback) return wanted;
    const start = fallback.want(wanted);
    this.pendingMove = start.remembered ? { from: wanted, to: start.transport } : null;
    return start.transport;
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
    const neverOpened = this.openedAt === 0;
    const movedTo = this.switchedOffTarget(error, notice);
    if (movedTo !== undefined) {
      // The server switched this transport off and named where to go: move there at once, cursors
      // kept. The server decided, so that is now the wanted transport (no upgrade back to a disabled one).
      this.wanted = movedTo;
      this.deps.fallback?.want(movedTo);
      this.moveTo(movedTo, "transport_disabled", error);
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
    const fallback = this.deps.fallback;
    if (fallback && neverOpened && isOpenFailure(error) && fallback.next(this.wanted, this.transportName) !== undefined) {
      // Blocked on the way, or is the service down? Only a service that answers HTTP demotes the client.
      const reason = error instanceof OpenTimeoutError ? "open_timeout" : "open_failed";
      const fence = this.generation;
      void fallback.judge(reason).then((verdict) => {
        if (fence !== this.generation || this.userClosed) return;
        const next = fallback.next(this.wanted, this.transportName);
        if (verdict === "blocked" && next !== undefined) {
          fallback.report("fallback", this.transportName, next, reason);
          this.moveTo(next, "fallback", error);
        } else this.scheduleReconnect();
      });
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.openedAt !== 0 && Date.now() - this.openedAt >= STABLE_CONNECTION_MS) this.attempt = 0;
    this.openedAt = 0;
    const delay = backoffDelay(this.attempt++, this.deps.backoff);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.deps.recorder.add("reconnects");
      this.start();
    }, delay);
  }

  /** Moves to `to` at once, cursors kept, and says so (`moved`). */
  private moveTo(to: string, reason: MoveReason, error?: unknown): void {
    const from = this.transportName;
    this.transportName = to;
    this.attempt = 0;
    this.openedAt = 0;
    this.deps.recorder.add("reconnects");
    if (reason === "fallback") this.deps.recorder.add("fallbacks");
    if (reason === "upgrade") this.deps.recorder.add("upgrades");
    this.deps.sink.emit("moved", { from, to, reason });
    this.setStatus(reason === "upgrade" ? "connecting" : "reconnecting", error);
    this.start();
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
    this.announcePendingMove();
    const fallback = this.deps.fallback;
    if (fallback && fallback.next(this.wanted, this.transportName) !== undefined) {
      const name = this.transportName;
      this.openTimer = setTimeout(() => {
        this.openTimer = null;
        this.failed(generation, new OpenTimeoutError(name, fallback.openTimeoutMs));
      }, fallback.openTimeoutMs);
    }
    const transport = factory(this.hostFor(generation), this.deps.settings);
    this.transport = transport;
    transport.open();
  }

  /** A remembered fallback is a fallback too: visible (`moved`), counted and reported, once it starts. */
  private announcePendingMove(): void {
    const move = this.pendingMove;
    this.pendingMove = null;
    if (!move || move.to !== this.transportName || move.from !== this.wanted) return;
    this.deps.recorder.add("fallbacks");
    this.deps.sink.emit("moved", { ...move, reason: "fallback" });
    this.deps.fallback?.report("fallback", move.from, move.to, "remembered");
  }

  /** On a fallback that is open: try the wanted transport again after the chain's delay. */
  private planUpgrade(): void {
    const fallback = this.deps.fallback;
    if (!fallback || this.upgradeTimer !== null || this.stopProbe !== null || this.transportName === this.wanted) return;
    const fence = this.generation;
    this.upgradeTimer = setTimeout(() => {
      this.upgradeTimer = null;
      if (fence === this.generation) this.tryUpgrade(fallback);
    }, fallback.upgradeDelay);
  }

  /**
   * Opens the wanted transport on the side while the fallback keeps
   * delivering; if it opens, switch to it in place (cursors handed over),
   * else stay put and try again after twice the delay.
   */
  private tryUpgrade(fallback: FallbackChain): void {
    const fence = this.generation;
    const wanted = this.wanted;
    const factory = this.deps.transports.get(wanted)!;
    const base = { ...this.deps.http, cursors: () => this.deps.subscriptions.cursors() };
    this.stopProbe = probeTransport(factory, this.deps.settings, base, fallback.openTimeoutMs, (opened) => {
      this.stopProbe = null;
      if (fence !== this.generation || this.userClosed || wanted !== this.wanted) return;
      if (!opened) {
        fallback.upgradeFailed();
        this.planUpgrade();
        return;
      }
      const from = this.transportName;
      fallback.upgraded(wanted);
      fallback.report("upgrade", from, wanted);
      this.retire();
      this.moveTo(wanted, "upgrade");
    });
  }

  private clearUpgrade(): void {
    if (this.upgradeTimer !== null) clearTimeout(this.upgradeTimer);
    this.upgradeTimer = null;
    this.stopProbe?.();
    this.stopProbe = null;
  }

  /** Fences off the current transport: closes it; anything it still reports is ignored. */
  private retire(): void {
    this.generation++;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.openTimer !== null) clearTimeout(this.openTimer);
    this.openTimer = null;
    this.clearUpgrade();
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
        if (this.openTimer !== null) clearTimeout(this.openTimer);
        this.openTimer = null;
        this.deps.fallback?.opened(this.wanted, this.transportName);
        this.setStatus("open");
        this.openWaiters.resolveAll();
        this.planUpgrade();
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
