import {
  MAX_COMMAND_BYTES,
  ProtocolError,
  type Command,
  type CommandResultOf,
  type CursorMap,
  type ErrorBody,
  type Topic,
  type TransportName,
} from "@repo/protocol";
import { RealtimeClient } from "../client";
import type { ClientEvents, ClientOptions, ClientSink, ClientStatus, CommandInput, EventHandler, SubscribeOptions } from "../client-types";
import { createCommandId } from "../command-id";
import { Emitter } from "../emitter";
import { ConnectionError, type ConnectionErrorCode } from "../errors";
import { MetricsRecorder, type ClientMetrics } from "../metrics";
import { Subscriptions } from "../subscriptions";
import { utf8Length } from "../utf8";
import { ChannelMessage, SHARED_PROTOCOL, type FailureBody, type LeaderMessage, type Outgoing } from "./channel-messages";
import { browserLocks, type LockManagerLike } from "./leader-lock";
import { ForwardedCommands } from "./forwarded-commands";
import { SharedLeader } from "./shared-leader";

/** The part of BroadcastChannel used here (the browser's and Node's fit). */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export interface ShareOptions {
  /** Tabs with the same name (and origin) share one connection. */
  name: string;
  /** Default: `navigator.locks`. */
  locks?: LockManagerLike;
  /** Default: `new BroadcastChannel(name)`. */
  channel?: (name: string) => BroadcastChannelLike;
  /**
   * How often a follower tells the leader it is still there (default 20 s). The leader drops a
   * tab silent for six times as long (a crashed tab says no goodbye; a hidden tab's timers may
   * run only once a minute).
   */
  heartbeatMs?: number;
}

export interface SharedClientOptions extends ClientOptions {
  share: ShareOptions;
}

export type SharedRole = "leader" | "follower";

export type SharedClientEvents = ClientEvents & {
  /** This tab became the leader (it holds the connection now) or started as a follower. */
  role: (role: SharedRole) => void;
};


type PageHideListener = (event: { persisted?: boolean }) => void;
/** The window, in a browser (Node has no page to hide). */
const page = globalThis as {
  addEventListener?: (type: "pagehide", listener: PageHideListener) => void;
  removeEventListener?: (type: "pagehide", listener: PageHideListener) => void;
};

const CHANNEL_PREFIX = "switchboard-shared:";

function errorFrom(body: FailureBody | undefined): unknown {
  if (!body) return undefined;
  return "issues" in body || !["network", "timeout", "closed"].includes(body.code)
    ? ProtocolError.fromBody(body as ErrorBody)
    : new ConnectionError(body.code as ConnectionErrorCode, body.message);
}

/**
 * A client whose tabs share one connection. Every tab holds its own subscriptions (cursors,
 * de-duplication by offset) and its own listeners; one tab leads — the holder of a Web Lock —
 * and runs the real client for all of them; the others follow over a BroadcastChannel. When
 * the leader's tab goes, the lock passes to a follower, which connects from its cursors; the
 * other tabs tell it theirs, and a topic one of them is behind on is rewound to it (see
 * SharedLeader). Nothing is lost; what arrives twice is dropped by offset.
 */
export class SharedClient extends Emitter<SharedClientEvents> {
  /** This tab's id on the channel. */
  readonly id = createCommandId();
  private readonly inner: RealtimeClient;
  private readonly recorder: MetricsRecorder;
  private readonly subscriptions: Subscriptions;
  private readonly channel: BroadcastChannelLike;
  private readonly commands: ForwardedCommands;
  private readonly abortLock = new AbortController();
  private readonly heartbeatMs: number;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private releaseLock: (() => void) | null = null;
  private leader: SharedLeader | null = null;
  private leaderId: string | null = null;
  private wantQueued = false;
  private current: ClientStatus = "idle";
  private transport: string;
  private wanted: string;
  private closed = false;

  constructor(options: SharedClientOptions) {
    super();
    const { share, ...clientOptions } = options;
    this.inner = new RealtimeClient(clientOptions);
    this.transport = this.wanted = options.transport;
    this.recorder = new MetricsRecorder(options.latencyWindow ?? 1024);
    // A leader retries a command itself; a follower waits out all of its attempts and a handover.
    this.commands = new ForwardedCommands((options.commandTimeoutMs ?? 10_000) * ((options.commandRetries ?? 4) + 2));
    const sink: ClientSink = {
      emit: (name, ...args) => this.emit(name, ...args),
      report: (error) => {
        if (this.hasListeners("error")) this.emit("error", error);
        else console.error("[@repo/client shared]", error);
      },
      listensForErrors: () => this.hasListeners("error"),
    };
    this.subscriptions = new Subscriptions(sink, this.recorder, () => this.queueWant());
    const channelName = CHANNEL_PREFIX + share.name;
    this.channel = (share.channel ?? ((name) => new BroadcastChannel(name) as unknown as BroadcastChannelLike))(channelName);
    this.channel.onmessage = (event) => this.received(event.data);
    this.heartbeatMs = share.heartbeatMs ?? 20_000;
    this.heartbeat = setInterval(() => {
      if (!this.leader && this.subscriptions.size > 0) this.post({ kind: "want", topics: this.subscriptions.cursors() });
    }, this.heartbeatMs);
    (this.heartbeat as { unref?: () => void }).unref?.();
    const locks = share.locks ?? browserLocks();
    if (!locks) throw new ConnectionError("closed", "Shared mode needs Web Locks (navigator.locks) or a `share.locks`");
    locks
      .request(channelName, { mode: "exclusive", signal: this.abortLock.signal }, () => this.lead())
      .catch(() => {}); // withdrawn on close
    queueMicrotask(() => {
      if (!this.leader && !this.closed) this.emit("role", "follower");
    });
    // A tab going away says so: a follower's topics are dropped at once, a leader hands over at once.
    page.addEventListener?.("pagehide", this.onPageHide);
  }

  private readonly onPageHide = (event: { persisted?: boolean }) => {
    if (!event.persisted) this.close();
  };

  get role(): SharedRole {
    return this.leader ? "leader" : "follower";
  }

  get status(): ClientStatus {
    return this.current;
  }

  get transportInUse(): string {
    return this.transport;
  }

  get transportWanted(): string {
    return this.wanted;
  }

  get transports(): readonly string[] {
    return this.inner.transports;
  }

  subscribe<TPayload = unknown>(topic: Topic, onEvent: EventHandler<TPayload>, options: SubscribeOptions = {}): () => void {
    if (this.closed) throw new ConnectionError("closed", "The client is closed");
    return this.subscriptions.add(topic, onEvent as EventHandler, options);
  }

  /** Sends a command through the leader's connection (same id on every attempt and across a handover: one effect). */
  send<C extends CommandInput>(input: C): Promise<CommandResultOf<C["type"]>> {
    if (this.closed) return Promise.reject(new ConnectionError("closed", "The client is closed"));
    const command: Command = { ...input, id: input.id ?? createCommandId() };
    if (utf8Length(JSON.stringify(command)) > MAX_COMMAND_BYTES) {
      return Promise.reject(new ProtocolError("payload_too_large", `Commands are limited to ${MAX_COMMAND_BYTES} bytes`));
    }
    const answered = this.commands.add(command);
    this.recorder.add("commands");
    this.toLeader({ kind: "command", requestId: command.id, command });
    return answered as Promise<CommandResultOf<C["type"]>>;
  }

  /** HTTP reads go straight from this tab: they hold no connection. */
  get: RealtimeClient["get"] = (path, schema, options) => this.inner.get(path, schema, options);
  evaluateFlag: RealtimeClient["evaluateFlag"] = (key, context, options) => this.inner.evaluateFlag(key, context, options);
  evaluateFlags: RealtimeClient["evaluateFlags"] = (context, options) => this.inner.evaluateFlags(context, options);

  /** Switches the shared connection's transport (every tab's). */
  switchTransport(name: TransportName | (string & {})): void {
    this.toLeader({ kind: "control", action: "switch", transport: name });
  }

  reconnect(): void {
    this.toLeader({ kind: "control", action: "reconnect" });
  }

  dropConnection(): void {
    this.toLeader({ kind: "control", action: "drop" });
  }

  cursors(): CursorMap {
    return this.subscriptions.cursors();
  }

  /** This tab's deliveries (events, duplicates dropped, latency); the wire counters are the leader's. */
  metrics(): ClientMetrics {
    const local = this.recorder.snapshot(this.transport, this.current);
    if (!this.leader) return local;
    const wire = this.inner.metrics();
    return { ...wire, events: local.events, duplicates: local.duplicates, signals: local.signals, resets: local.resets, commands: local.commands, latency: local.latency };
  }

  whenOpen(timeoutMs = 30_000): Promise<void> {
    if (this.current === "open") return Promise.resolve();
    if (this.closed) return Promise.reject(new ConnectionError("closed", "The client is closed"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new ConnectionError("timeout", "The shared connection did not open in time"));
      }, timeoutMs);
      const off = this.on("status", (status) => {
        if (status !== "open" && status !== "closed") return;
        clearTimeout(timer);
        off();
        if (status === "open") resolve();
        else reject(new ConnectionError("closed", "The client is closed"));
      });
    });
  }

  /** Leaves the group: a leader hands the connection to the next tab, a follower withdraws its topics. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    page.removeEventListener?.("pagehide", this.onPageHide);
    clearInterval(this.heartbeat);
    if (this.leader) {
      this.leader.stop();
      this.leader = null;
    } else {
      this.post({ kind: "leave" });
    }
    this.abortLock.abort();
    this.releaseLock?.();
    this.inner.close();
    this.channel.onmessage = null;
    this.channel.close();
    this.subscriptions.clear();
    this.commands.rejectAll(new ConnectionError("closed", "The client is closed"));
    this.setStatus("closed", this.transport);
  }

  /** Holds the lock until the client closes: this tab leads meanwhile. */
  private lead(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const released = new Promise<void>((resolve) => (this.releaseLock = resolve));
    this.leader = new SharedLeader(this.inner, (message) => this.publish(message), this.heartbeatMs * 6, this.id);
    this.emit("role", "leader");
    this.resendToLeader();
    return released;
  }

  private publish(message: Outgoing): void {
    const full = { ...message, v: SHARED_PROTOCOL, from: this.id };
    this.channel.postMessage(full);
    this.fromLeader(full as LeaderMessage);
  }

  private post(message: Outgoing): void {
    this.channel.postMessage({ ...message, v: SHARED_PROTOCOL, from: this.id });
  }

  private toLeader(message: Outgoing): void {
    if (this.leader) this.leader.handle({ ...message, v: SHARED_PROTOCOL, from: this.id } as never);
    else this.post(message);
  }

  private received(data: unknown): void {
    const parsed = ChannelMessage.safeParse(data);
    if (!parsed.success || this.closed) return;
    const message = parsed.data;
    switch (message.kind) {
      case "want":
      case "command":
      case "control":
      case "leave":
        this.leader?.handle(message);
        return;
      default:
        this.fromLeader(message);
    }
  }

  /** What the leader said (this tab's own leader included). */
  private fromLeader(message: LeaderMessage): void {
    if (this.closed) return;
    if (message.from !== this.leaderId) {
      // A new leader (or the first one heard from): it knows nothing of this tab yet.
      this.leaderId = message.from;
      if (message.from !== this.id) this.resendToLeader();
    }
    switch (message.kind) {
      case "event":
        return this.subscriptions.deliver(message.event);
      case "signal":
        return this.subscriptions.deliverSignal(message.signal);
      case "reset":
        if (message.to === undefined || message.to === this.id) this.subscriptions.applyReset(message.reset);
        return;
      case "refused":
        if (this.subscriptions.has(message.topic)) this.subscriptions.end([[message.topic, ProtocolError.fromBody(message.error)]]);
        return;
      case "closing":
        return this.emit("closing", message.notice);
      case "status":
        this.wanted = message.wanted;
        return this.setStatus(message.status, message.transport, errorFrom(message.error));
      case "positions":
        if (message.to === this.id) this.subscriptions.applyPositions(message.topics);
        return;
      case "result":
        if (message.to === this.id) this.commands.settle(message.requestId, message.outcome);
        return;
      case "leader":
        return;
    }
  }


  /** Tells a (new) leader everything this tab wants: its topics with their cursors, and its unanswered commands. */
  private resendToLeader(): void {
    this.toLeader({ kind: "want", topics: this.subscriptions.cursors() });
    for (const command of this.commands.all()) this.toLeader({ kind: "command", requestId: command.id, command });
  }

  /** Topic changes in one tick become one `want`. */
  private queueWant(): void {
    if (this.wantQueued) return;
    this.wantQueued = true;
    queueMicrotask(() => {
      this.wantQueued = false;
      if (!this.closed) this.toLeader({ kind: "want", topics: this.subscriptions.cursors() });
    });
  }

  private setStatus(status: ClientStatus, transport: string, error?: unknown): void {
    const changed = status !== this.current || transport !== this.transport;
    this.current = status;
    this.transport = transport;
    if (changed) this.emit("status", status, { transport, ...(error === undefined ? {} : { error }) });
  }
}

/**
 * A client whose tabs share one connection (`share.name` groups them; see SharedClient).
 * Nothing connects until some tab subscribes or sends.
 */
export function createSharedClient(options: SharedClientOptions): SharedClient {
  return new SharedClient(options);
}
