import {
  ClosingNotice,
  CommandResult,
  ErrorBody,
  EventEnvelope,
  ProtocolError,
  ResetSignal,
  RevokedNotice,
  SOCKET_EVENTS,
  SOCKET_PATH,
  Signal,
  decodeCursor,
  encodeCursor,
  type ClientToServerEvents,
  type Command,
  type CursorMap,
  type ServerToClientEvents,
  type SubscribeAck,
  type Topic,
} from "@repo/protocol";
import { io, type Socket } from "socket.io-client";
import { ConnectionError, toConnectionError } from "../errors";
import { endsTopic } from "../refusals";
import { BaseTransport, type TopicChange, type TransportHost, type TransportSettings } from "../transport";
import { utf8Length } from "../utf8";
import { socketIoPacketType } from "../wire";

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** An engine.io packet as its socket emits it (`packet` in, `packetCreate` out). */
type EnginePacket = { type: string; data?: unknown };

function pick(cursors: CursorMap, topics: Iterable<Topic>): CursorMap {
  const out: CursorMap = {};
  for (const topic of topics) if (topic in cursors) out[topic] = cursors[topic]!;
  return out;
}

/**
 * WebSocket over socket.io (path `/v1/ws`, websocket transport only, so no
 * sticky sessions). socket.io's own reconnection is off: the client's backoff
 * governs, and every connect subscribes again from the current cursors.
 * Topic changes are incremental (`subscribe` / `unsubscribe` on the open
 * socket); commands go over the socket with an ack.
 */
export class WebSocketTransport extends BaseTransport {
  readonly name = "websocket";
  override readonly sendsOverConnection = true;
  private socket: ClientSocket | null = null;

  constructor(
    host: TransportHost,
    private readonly settings: Pick<TransportSettings, "ackTimeoutMs">,
  ) {
    super(host);
  }

  protected start(): void {
    const socket: ClientSocket = io(this.host.baseUrl, {
      path: SOCKET_PATH,
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      timeout: this.settings.ackTimeoutMs,
      // The version and token in the handshake body, never the URL; without a token the session cookie goes along.
      auth: this.handshakeAuth(),
      ...(this.host.token ? {} : { withCredentials: true }),
    });
    this.socket = socket;
    this.host.count("requests");
    socket.io.on("open", () => {
      const engine = socket.io.engine;
      engine.on("data", (data: unknown) => {
        this.host.count("bytesReceived", typeof data === "string" ? utf8Length(data) : ((data as ArrayBuffer).byteLength ?? 0));
      });
      // The wire tap: one call and a lookup per packet when nobody listens.
      engine.on("packet", (packet: EnginePacket) => this.tapPacket("in", packet));
      engine.on("packetCreate", (packet: EnginePacket) => this.tapPacket("out", packet));
    });
    socket.on("connect", () => void this.subscribe(Object.keys(this.host.cursors()), true));
    socket.on("connect_error", (error: Error & { data?: unknown }) => {
      // A handshake the server refused carries the typed error (unauthorized, unsupported_version…).
      const refusal = ErrorBody.safeParse(error.data);
      this.fail(refusal.success ? ProtocolError.fromBody(refusal.data) : toConnectionError(error, "WebSocket connect failed"));
    });
    socket.on("disconnect", (reason) => this.fail(new ConnectionError("network", `WebSocket disconnected: ${reason}`)));
    socket.on(SOCKET_EVENTS.event, (event) => this.guard("event", () => this.host.event(EventEnvelope.parse(event))));
    socket.on(SOCKET_EVENTS.reset, (reset) => this.guard("reset", () => this.host.reset(ResetSignal.parse(reset))));
    socket.on(SOCKET_EVENTS.signal, (signal) => this.guard("signal", () => this.host.signal(Signal.parse(signal))));
    socket.on(SOCKET_EVENTS.revoked, (raw) =>
      this.guard("revoked", () => {
        const notice = RevokedNotice.parse(raw);
        this.host.refused(ProtocolError.fromBody(notice.error), [notice.topic]);
      }),
    );
    socket.on(SOCKET_EVENTS.closing, (notice) => this.guard("closing", () => this.host.closing(ClosingNotice.parse(notice))));
  }

  protected stop(): void {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.removeAllListeners();
    socket.io.engine?.removeAllListeners("data");
    socket.io.engine?.removeAllListeners("packet");
    socket.io.engine?.removeAllListeners("packetCreate");
    socket.disconnect();
  }

  /** Subscribes topics from their current cursors; a refusal drops the refused ones and retries the rest. */
  private async subscribe(topics: Topic[], connecting: boolean): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected) return;
    const cursors = pick(this.host.cursors(), topics);
    if (Object.keys(cursors).length === 0) {
      if (connecting) this.announceOpen();
      return;
    }
    let ack: SubscribeAck;
    try {
      ack = (await socket.timeout(this.settings.ackTimeoutMs).emitWithAck(SOCKET_EVENTS.subscribe, { cursor: encodeCursor(cursors) })) as SubscribeAck;
    } catch (error) {
      if (this.socket === socket) this.fail(toConnectionError(error, "Subscribe got no ack"));
      return;
    }
    if (this.socket !== socket || this.closed) return;
    if (ack.ok) {
      const positions = decodeCursor(ack.cursor);
      if (positions) this.host.positions(positions);
      if (connecting) this.announceOpen();
      // The server sends a bounded backlog per subscribe: topics in `more` are not live yet, so
      // ask again from where they stand now (the events received meanwhile moved their cursors).
      const more = (ack.more ?? []).filter((topic) => topic in this.host.cursors());
      if (more.length > 0) await this.subscribe(more, false);
      return;
    }
    const error = ProtocolError.fromBody(ack.error);
    if (!endsTopic(error)) {
      this.fail(error);
      return;
    }
    const asked = Object.keys(cursors);
    this.host.refused(error, asked);
    if (this.closed) return;
    const remaining = Object.keys(pick(this.host.cursors(), asked));
    // The server took none of the batch: ask again for the topics that were not refused.
    if (remaining.length < asked.length) await this.subscribe(remaining, connecting);
    else this.fail(error);
  }

  override update(change: TopicChange): void {
    const socket = this.socket;
    if (this.closed || !socket?.connected) return; // the connect handler subscribes everything current
    if (change.removed.length > 0) socket.emit(SOCKET_EVENTS.unsubscribe, { topics: change.removed }, () => {});
    const added = Object.keys(change.added);
    if (added.length > 0) void this.subscribe(added, false);
  }

  override async send(command: Command, timeoutMs: number): Promise<CommandResult> {
    const socket = this.socket;
    if (!socket?.connected) throw new ConnectionError("network", "WebSocket is not connected");
    let answer: unknown;
    try {
      answer = await socket.timeout(timeoutMs).emitWithAck(SOCKET_EVENTS.command, command);
    } catch (error) {
      throw new ConnectionError("timeout", "Command got no ack", { cause: error });
    }
    const result = CommandResult.safeParse(answer);
    if (!result.success) throw new ProtocolError("internal", "Malformed command ack");
    return result.data;
  }

  private tapPacket(direction: "in" | "out", packet: EnginePacket): void {
    const tap = this.host.wire?.();
    if (!tap) return;
    const data = packet.data;
    const text = typeof data === "string" ? data : "";
    const bytes = typeof data === "string" ? utf8Length(data) : ((data as ArrayBuffer | undefined)?.byteLength ?? 0);
    const packetType = packet.type === "message" && text !== "" ? socketIoPacketType(text) : undefined;
    tap({ kind: "socket", at: Date.now(), direction, type: packet.type, bytes, ...(packetType ? { packet: packetType } : {}) });
  }

  /** A malformed frame ends the connection (the reconnect resumes from the cursor) instead of throwing into socket.io. */
  private guard(what: string, handle: () => void): void {
    try {
      handle();
    } catch (error) {
      this.fail(new ConnectionError("network", `Malformed WebSocket ${what}`, { cause: error }));
    }
  }
}
