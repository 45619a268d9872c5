import type { Server as HttpServer } from "node:http";
import {
  MAX_COMMAND_BYTES,
  PROTOCOL_VERSION,
  ProtocolError,
  SESSION_COOKIE,
  SOCKET_EVENTS,
  SOCKET_PATH,
  VERSION_AUTH_FIELD,
  SubscribeRequest,
  UnsubscribeRequest,
  encodeCursor,
  parseOrThrow,
  type ClientToServerEvents,
  type ClosingNotice,
  type CommandResult,
  type EventEnvelope,
  type ResetSignal,
  type ServerToClientEvents,
  type Signal,
  type Topic,
  type SubscribeAck,
  type UnsubscribeAck,
} from "@repo/protocol";
import { fastifyCookie } from "@fastify/cookie";
import type { FastifyBaseLogger } from "fastify";
import { Server, type Socket } from "socket.io";
import { asProtocolError } from "../http/unexpected-error";
import type { AuthUser } from "../auth/auth";
import { negotiateVersion } from "../http/protocol-version";
import { clientAddressOf } from "../http/client-address";
import { readForbidden } from "../hub/topic-policy";
import type { Subscriber, SubscriberIo } from "../subscriptions/subscriber";
import { assertPlainPayload } from "../validation/payload-shape";
import type { TransportContext } from "./context";
import { encodingOf } from "../hub/event-encoding";
import { parseCursor } from "./subscription-request";

const SLOW_CONSUMER_SWEEP_MS = 250;
/** `42["event",` + `]` around the event JSON. */
const EVENT_FRAME_OVERHEAD = 12;
/** Subscribes and unsubscribes one socket may send per window. */
const SUBSCRIBE_BUDGET = { count: 20, windowMs: 10_000 };
/** Frames refused for breaking the protocol before the socket is cut. */
const MAX_STRIKES = 10;
const HANDLED_EVENTS = new Set<string>([SOCKET_EVENTS.subscribe, SOCKET_EVENTS.unsubscribe, SOCKET_EVENTS.command]);

interface SocketData {
  /** Who the handshake authenticated; the subscriber is made once the socket is connected. */
  user: AuthUser;
  /** The client's address, with the `trustProxy` rule applied. */
  ip: string;
  subscriber: Subscriber;
  /** Start of the current subscribe window and how many were sent in it. */
  window: number;
  sent: number;
  strikes: number;
}

interface EngineConnection {
  writeBuffer: Array<{ data?: unknown }>;
  transport: { socket?: { bufferedAmount?: number } };
}

/** Bytes waiting to go to one socket; stops counting once past `limit`. */
function queuedBytes(conn: EngineConnection, limit: number): number {
  let total = conn.transport.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer) {
    if (total > limit) break;
    total += typeof packet.data === "string" ? packet.data.length : 64;
  }
  return total;
}

type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const errorAck = (error: unknown) => {
  const protocolError = asProtocolError(error, "Request failed");
  return { ok: false as const, id: null, error: protocolError.toBody() };
};

/**
 * WebSocket transport on socket.io, restricted to the websocket transport so
 * no sticky sessions are needed. Each socket is one Subscriber of the
 * subscription core; this file only moves frames. Live events go to a
 * socket.io room per topic (encoded once per event, as a bare socket.io
 * broadcast would); a socket joins a topic's room only once its backlog is out.
 * Every frame is checked (known event, plain JSON of bounded depth, schema)
 * before a handler runs, and no handler can reject unobserved.
 */
export function attachWebSocket(httpServer: HttpServer, context: TransportContext, log: FastifyBaseLogger) {
  const { metrics, config, origins, auth, core } = context;
  const addressOf = clientAddressOf(config.trustProxy);
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(httpServer, {
    path: SOCKET_PATH,
    transports: ["websocket"],
    serveClient: false,
    maxHttpBufferSize: MAX_COMMAND_BYTES * 2,
    // Checked on the upgrade request itself: refuses cross-site WebSocket hijacking.
    allowRequest: (request, callback) => callback(null, origins.isAllowed(request.headers.origin)),
    cors: { origin: [...origins.allowed], credentials: true },
  });
  // socket.io frames an event as `42["event",<json>]`: bytes are counted per event, not per socket.
  const eventFrameBytes = (event: EventEnvelope) => encodingOf(event).bytes + EVENT_FRAME_OVERHEAD;
  const channels = core.channels((topic, event, live) => {
    io.local.to(topic).emit(SOCKET_EVENTS.event, event);
    metrics.count("delivered", "websocket", live.size);
    metrics.count("bytes", "websocket", live.size * eventFrameBytes(event));
  });

  /** One socket's I/O; a class, so an idle socket costs one small object rather than a closure per method. */
  class SocketIo implements SubscriberIo {
    constructor(private readonly socket: AppSocket) {}
    event(event: EventEnvelope) {
      this.socket.emit(SOCKET_EVENTS.event, event);
      metrics.count("delivered", "websocket");
      metrics.count("bytes", "websocket", eventFrameBytes(event));
    }
    reset(reset: ResetSignal) {
      this.socket.emit(SOCKET_EVENTS.reset, reset);
      metrics.resets.inc({ transport: "websocket" });
    }
    signal(signal: Signal) {
      this.socket.emit(SOCKET_EVENTS.signal, signal);
    }
    revoked(topic: Topic) {
      this.socket.emit(SOCKET_EVENTS.revoked, { topic, error: readForbidden(topic).toBody() });
    }
    queuedBytes() {
      return queuedBytes(this.socket.conn as unknown as EngineConnection, config.maxBufferedBytes);
    }
    live(topic: Topic) {
      void this.socket.join(topic);
    }
    unlive(topic: Topic) {
      void this.socket.leave(topic);
    }
    close(notice: ClosingNotice) {
      this.socket.emit(SOCKET_EVENTS.closing, notice);
      this.socket.disconnect(true);
    }
  }

  io.use((socket, next) => {
    const handshakeToken = (socket.handshake.auth as { token?: unknown }).token;
    const cookieHeader = socket.handshake.headers.cookie;
    const token =
      typeof handshakeToken === "string" ? handshakeToken : cookieHeader ? fastifyCookie.parse(cookieHeader)[SESSION_COOKIE] : undefined;
    const refuse = (error: ProtocolError) => next(Object.assign(new Error(error.code), { data: error.toBody() }));
    try {
      negotiateVersion((socket.handshake.auth as Record<string, unknown>)[VERSION_AUTH_FIELD]);
      // A switched-off WebSocket refuses the handshake, naming where to go.
      core.gate.check("websocket");
    } catch (error) {
      return refuse(error as ProtocolError);
    }
    auth
      .authenticate(token)
      .then((user) => {
        if (!user) return refuse(new ProtocolError("unauthorized", "Sign in first"));
        // Throws `rate_limited` at the per-user or per-address connection cap.
        const ip = addressOf(socket.request);
        core.registry.admit({ userId: user.id, ip });
        socket.data.user = user;
        socket.data.ip = ip;
        // The token has done its job; don't keep a copy per connection for the socket's lifetime.
        socket.handshake.auth = {};
        next();
      })
      .catch((error: unknown) => {
        if (!(error instanceof ProtocolError)) log.error({ err: error }, "websocket handshake failed");
        refuse(asProtocolError(error, "Handshake failed"));
      });
  });

  /** Too many subscribes from one socket: `rate_limited` with the seconds to wait. */
  function chargeSubscribe(socket: AppSocket) {
    const now = Date.now();
    const data = socket.data;
    if (now - data.window >= SUBSCRIBE_BUDGET.windowMs) {
      data.window = now;
      data.sent = 0;
    }
    if (++data.sent > SUBSCRIBE_BUDGET.count) {
      throw new ProtocolError("rate_limited", "Too many subscribes on this connection; slow down", {
        retryAfter: Math.ceil((data.window + SUBSCRIBE_BUDGET.windowMs - now) / 1000),
      });
    }
  }

  // Handlers are shared by every socket (socket.io calls them with `this` = the socket):
  // no closures per connection, which is what an idle connection's heap is made of.
  async function subscribe(socket: AppSocket, request: unknown): Promise<SubscribeAck> {
    const { cursor } = parseOrThrow(SubscribeRequest, request, "subscribe request");
    chargeSubscribe(socket);
    await context.addressLimits.consume("subscribe", socket.data.subscriber.ip);
    const outcome = await socket.data.subscriber.subscribe(parseCursor(cursor), config.subscribeBacklog);
    return { ok: true, v: PROTOCOL_VERSION, cursor: encodeCursor(outcome.positions), ...(outcome.more.length > 0 ? { more: outcome.more } : {}) };
  }

  function onSubscribe(this: AppSocket, request: unknown, ack: (answer: SubscribeAck) => void) {
    subscribe(this, request).then(ack, (error: unknown) => {
      if (!(error instanceof ProtocolError)) log.error({ err: error }, "websocket subscribe failed");
      ack(errorAck(error));
    });
  }

  function onUnsubscribe(this: AppSocket, request: unknown, ack: (answer: UnsubscribeAck) => void) {
    try {
      const { topics } = parseOrThrow(UnsubscribeRequest, request, "unsubscribe request");
      chargeSubscribe(this);
      this.data.subscriber.unsubscribe(topics);
      ack({ ok: true });
    } catch (error) {
      ack(errorAck(error));
    }
  }

  function onCommand(this: AppSocket, command: unknown, ack: (result: CommandResult) => void) {
    const user = this.data.subscriber.user;
    // The middleware bounded its depth, so measuring it cannot overflow the stack.
    const size = Buffer.byteLength(JSON.stringify(command ?? null));
    context.dispatcher.dispatch(user, command, "websocket", size, this.data.subscriber.ip).then(ack, (error: unknown) => {
      log.error({ err: error }, "websocket command failed");
      ack(errorAck(error));
    });
  }

  // "disconnecting", not "disconnect": socket.io empties the socket's rooms in between.
  function onDisconnecting(this: AppSocket) {
    this.data.subscriber.close();
    metrics.open.dec({ transport: "websocket" });
  }

  /**
   * Every frame, before its handler: a known event, with an ack where one is
   * expected, carrying plain JSON of bounded depth and size. A refused frame is
   * answered with a typed error when it has an ack; a socket that keeps
   * breaking the protocol is cut with a `protocol_error` notice.
   */
  function checkFrame(socket: AppSocket, packet: unknown[], next: (error?: Error) => void) {
    const [event, ...args] = packet;
    const ack = typeof args.at(-1) === "function" ? (args.pop() as (answer: unknown) => void) : null;
    try {
      if (typeof event !== "string" || !HANDLED_EVENTS.has(event)) throw new ProtocolError("validation", "Unknown event");
      if (!ack) throw new ProtocolError("validation", `Send ${event} with an acknowledgement callback`);
      if (args.length !== 1) throw new ProtocolError("validation", `${event} takes exactly one argument`);
      assertPlainPayload(args[0], `${event} payload`);
      next();
    } catch (error) {
      if (ack) ack(errorAck(error));
      if (++socket.data.strikes >= MAX_STRIKES) {
        const notice: ClosingNotice = { reason: "protocol_error", message: "Too many malformed frames" };
        socket.emit(SOCKET_EVENTS.closing, notice);
        socket.disconnect(true);
      }
    }
  }

  io.on("connection", (socket) => {
    try {
      const { user, ip } = socket.data;
      const subscriber = core.subscriber({ transport: "websocket", user, ip, io: new SocketIo(socket), channels });
      socket.data = { user, ip, subscriber, window: 0, sent: 0, strikes: 0 };
    } catch (error) {
      // Another handshake of the same user or address took the last place meanwhile.
      const body = errorAck(error).error;
      socket.emit(SOCKET_EVENTS.closing, { reason: "protocol_error", message: body.message });
      socket.disconnect(true);
      return;
    }
    metrics.requests.inc({ transport: "websocket" });
    metrics.open.inc({ transport: "websocket" });
    socket.use((packet, next) => checkFrame(socket, packet, next));
    socket.on(SOCKET_EVENTS.subscribe, onSubscribe);
    socket.on(SOCKET_EVENTS.unsubscribe, onUnsubscribe);
    socket.on(SOCKET_EVENTS.command, onCommand);
    socket.on("disconnecting", onDisconnecting);
  });

  // Live broadcasts do not pass through the subscriber, so a live socket's queue is swept here;
  // a backlog checks its queue page by page inside the subscriber.
  const sweep = setInterval(() => {
    for (const socket of io.of("/").sockets.values()) {
      const queued = queuedBytes(socket.conn as unknown as EngineConnection, config.maxBufferedBytes);
      if (queued > config.maxBufferedBytes) {
        core.slowConsumerCut(socket.data.subscriber, queued);
        socket.data.subscriber.end({ reason: "slow_consumer", message: "Client could not keep up; resume from your cursor" });
      }
    }
  }, SLOW_CONSUMER_SWEEP_MS);
  sweep.unref();

  return {
    io,
    /** Tells every socket why it is going, then closes them and the server. */
    async close(notice: ClosingNotice) {
      clearInterval(sweep);
      io.local.emit(SOCKET_EVENTS.closing, notice);
      // Not io.close(): that would also close the HTTP server, which Fastify owns.
      io.local.disconnectSockets(true);
      io.engine.close();
      channels.close();
    },
  };
}
