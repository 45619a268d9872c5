import type { Server as HttpServer } from "node:http";
import {
  MAX_COMMAND_BYTES,
  MAX_TOPICS_PER_SUBSCRIPTION,
  PROTOCOL_VERSION,
  ProtocolError,
  SESSION_COOKIE,
  SOCKET_EVENTS,
  SOCKET_PATH,
  type ClientToServerEvents,
  type CommandResult,
  type ServerToClientEvents,
  type SubscribeAck,
  encodeCursor,
  type ClosingNotice,
  type EventEnvelope,
  type Topic,
  type User,
} from "@repo/protocol";
import { fastifyCookie } from "@fastify/cookie";
import type { FastifyBaseLogger } from "fastify";
import { Server, type Socket } from "socket.io";
import { readForbidden } from "../hub/topic-policy";
import { NOTHING_HELD } from "../hub/presence";
import type { TransportContext } from "./context";
import { encodingOf } from "../hub/event-encoding";
import { parseCursor } from "./subscription-request";

const SLOW_CONSUMER_SWEEP_MS = 250;
/** `42["event",` + `]` around the event JSON. */
const EVENT_FRAME_OVERHEAD = 12;


interface SocketData {
  user: User;
  /**
   * Presence holds of followed topics whose kind tracks presence (created on first use).
   * The followed topics themselves are the socket's rooms: nothing else kept per socket.
   */
  holds?: Map<Topic, () => void>;
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

/** The topics a socket follows: its rooms, less the one socket.io gives every socket. */
function followedTopics(socket: AppSocket): Topic[] {
  return [...socket.rooms].filter((room) => room !== socket.id);
}

type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

interface TopicRoom {
  stop: () => void;
  /** Sockets still receiving their backlog: excluded from broadcasts, their live events held. */
  catchingUp: Map<string, EventEnvelope[]>;
  members: number;
}

/**
 * WebSocket transport on socket.io, restricted to the websocket transport so
 * no sticky sessions are needed. Live events go to a socket.io room per topic
 * (encoded once per event, as a bare socket.io broadcast would); a subscriber
 * first receives its backlog directly while its live events are held, then
 * joins the broadcast, so nothing is missed or doubled.
 */
export function attachWebSocket(httpServer: HttpServer, context: TransportContext, log: FastifyBaseLogger) {
  const { hub, metrics, config, origins, auth } = context;
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(httpServer, {
    path: SOCKET_PATH,
    transports: ["websocket"],
    serveClient: false,
    maxHttpBufferSize: MAX_COMMAND_BYTES * 2,
    // Checked on the upgrade request itself: refuses cross-site WebSocket hijacking.
    allowRequest: (request, callback) => callback(null, origins.isAllowed(request.headers.origin)),
    cors: { origin: [...origins.allowed], credentials: true },
  });
  const rooms = new Map<Topic, TopicRoom>();
  // Bytes are counted per event, not per socket packet: a listener on every socket costs
  // memory per idle connection. socket.io frames an event as `42["event",<json>]`.
  const eventFrameBytes = (event: EventEnvelope) => encodingOf(event).bytes + EVENT_FRAME_OVERHEAD;

  function roomOf(topic: Topic): TopicRoom {
    const room = rooms.get(topic);
    if (room) return room;
    const created: TopicRoom = { stop: () => {}, catchingUp: new Map(), members: 0 };
    created.stop = hub.listen(
      topic,
      (event) => {
        const excluded = created.catchingUp;
        const target = excluded.size === 0 ? io.local.to(topic) : io.local.to(topic).except([...excluded.keys()]);
        target.emit(SOCKET_EVENTS.event, event);
        for (const held of excluded.values()) held.push(event);
        const recipients = created.members - excluded.size;
        metrics.count("delivered", "websocket", recipients);
        metrics.count("bytes", "websocket", recipients * eventFrameBytes(event));
      },
      // Signals are live-only: everyone in the room, catching up or not.
      (signal) => io.local.to(topic).emit(SOCKET_EVENTS.signal, signal),
    );
    rooms.set(topic, created);
    return created;
  }

  function leave(socket: AppSocket, topic: Topic) {
    const room = rooms.get(topic);
    if (!room || !socket.rooms.has(topic)) return;
    socket.data.holds?.get(topic)?.();
    socket.data.holds?.delete(topic);
    void socket.leave(topic);
    room.catchingUp.delete(socket.id);
    room.members--;
    if (room.members === 0) {
      room.stop();
      rooms.delete(topic);
    }
  }

  async function subscribe(socket: AppSocket, cursorText: unknown): Promise<string> {
    if (typeof cursorText !== "string") throw new ProtocolError("validation", "Send { cursor } with the topics to follow");
    const cursors = parseCursor(cursorText);
    const topics = Object.keys(cursors);
    const total = new Set([...followedTopics(socket), ...topics]).size;
    if (total > MAX_TOPICS_PER_SUBSCRIPTION) {
      throw new ProtocolError("validation", `At most ${MAX_TOPICS_PER_SUBSCRIPTION} topics per connection`);
    }
    await context.topics.assertCanRead(socket.data.user, topics);
    const positions: Record<Topic, { epoch: string; offset: number }> = {};
    for (const [topic, from] of Object.entries(cursors)) {
      if (!socket.connected) break;
      leave(socket, topic);
      const room = roomOf(topic);
      const held: EventEnvelope[] = [];
      room.catchingUp.set(socket.id, held);
      room.members++;
      const release = context.presence.hold(socket.data.user, [topic]);
      if (release !== NOTHING_HELD) (socket.data.holds ??= new Map()).set(topic, release);
      void socket.join(topic);
      let position = from;
      let result = await hub.read(topic, position);
      for (;;) {
        if (result.kind === "reset") {
          socket.emit(SOCKET_EVENTS.reset, result.reset);
          metrics.resets.inc({ transport: "websocket" });
          position = result.reset.position;
          break;
        }
        if (position === null) {
          position = result.position;
          break;
        }
        for (const event of result.events) {
          socket.emit(SOCKET_EVENTS.event, event);
          metrics.count("bytes", "websocket", eventFrameBytes(event));
        }
        metrics.count("delivered", "websocket", result.events.length);
        position = result.position;
        if (result.events.length === 0) break;
        result = await hub.read(topic, position);
      }
      // Flush what arrived meanwhile and go live in the same tick: no event can slip between.
      for (const event of held) {
        if (event.epoch === position.epoch && event.offset > position.offset) {
          socket.emit(SOCKET_EVENTS.event, event);
          metrics.count("delivered", "websocket");
          metrics.count("bytes", "websocket", eventFrameBytes(event));
          position = { epoch: event.epoch, offset: event.offset };
        }
      }
      room.catchingUp.delete(socket.id);
      positions[topic] = position;
    }
    return encodeCursor(positions);
  }

  // The user lost read access to a topic (e.g. left the chat room): their sockets stop following it.
  const stopRevoke = context.topics.onRevoke((userId, topic) => {
    for (const socketId of [...(io.of("/").adapter.rooms.get(topic) ?? [])]) {
      const socket = io.of("/").sockets.get(socketId);
      if (socket?.data.user.id !== userId) continue;
      leave(socket, topic);
      socket.emit(SOCKET_EVENTS.revoked, { topic, error: readForbidden(topic).toBody() });
    }
  });

  io.use(async (socket, next) => {
    const handshakeToken = (socket.handshake.auth as { token?: unknown }).token;
    const cookieHeader = socket.handshake.headers.cookie;
    const token =
      typeof handshakeToken === "string" ? handshakeToken : cookieHeader ? fastifyCookie.parse(cookieHeader)[SESSION_COOKIE] : undefined;
    const user = await auth.authenticate(token).catch(() => null);
    if (!user) {
      const error = new Error("unauthorized") as Error & { data?: unknown };
      error.data = { code: "unauthorized", message: "Sign in first" };
      return next(error);
    }
    socket.data.user = { id: user.id, name: user.name };
    // The token has done its job; don't keep a copy per connection for the socket's lifetime.
    socket.handshake.auth = {};
    next();
  });

  // Handlers are shared by every socket (socket.io calls them with `this` = the socket):
  // no closures per connection, which is what an idle connection's heap is made of.
  async function onSubscribe(this: AppSocket, request: unknown, ack: (answer: SubscribeAck) => void) {
    if (typeof ack !== "function") return;
    try {
      const cursor = await subscribe(this, (request as { cursor?: unknown } | undefined)?.cursor);
      ack({ ok: true, v: PROTOCOL_VERSION, cursor });
    } catch (error) {
      const protocolError = error instanceof ProtocolError ? error : new ProtocolError("internal", "Subscribe failed");
      if (protocolError.code === "internal") log.error({ err: error }, "websocket subscribe failed");
      ack({ ok: false, error: protocolError.toBody() });
    }
  }

  function onUnsubscribe(this: AppSocket, request: { topics?: unknown } | undefined, ack?: (answer: { ok: true }) => void) {
    const topics: unknown[] = Array.isArray(request?.topics) ? request.topics : [];
    for (const topic of topics) if (typeof topic === "string") leave(this, topic);
    if (typeof ack === "function") ack({ ok: true });
  }

  async function onCommand(this: AppSocket, command: unknown, ack: (result: CommandResult) => void) {
    if (typeof ack !== "function") return;
    const size = Buffer.byteLength(JSON.stringify(command ?? null));
    ack(await context.dispatcher.dispatch(this.data.user, command, "websocket", size));
  }

  // "disconnecting", not "disconnect": socket.io empties the socket's rooms in between.
  function onDisconnecting(this: AppSocket) {
    for (const topic of followedTopics(this)) leave(this, topic);
    metrics.open.dec({ transport: "websocket" });
  }

  io.on("connection", (socket) => {
    metrics.requests.inc({ transport: "websocket" });
    metrics.open.inc({ transport: "websocket" });
    socket.on(SOCKET_EVENTS.subscribe, onSubscribe);
    socket.on(SOCKET_EVENTS.unsubscribe, onUnsubscribe);
    socket.on(SOCKET_EVENTS.command, onCommand);
    socket.on("disconnecting", onDisconnecting);
  });

  // A socket whose queue passes the limit is cut with a reason; it resumes from its cursor.
  // engine.io sends one frame at a time and queues the rest in its writeBuffer, so the
  // queue is that buffer's bytes plus what the ws socket still holds.
  const sweep = setInterval(() => {
    for (const socket of io.of("/").sockets.values()) {
      const queued = queuedBytes(socket.conn as unknown as EngineConnection, config.maxBufferedBytes);
      if (queued > config.maxBufferedBytes) {
        metrics.slowConsumersCut.inc({ transport: "websocket" });
        log.warn({ userId: socket.data.user?.id, queued }, "cutting slow WebSocket consumer");
        const notice: ClosingNotice = { reason: "slow_consumer", message: "Client could not keep up; resume from your cursor" };
        socket.emit(SOCKET_EVENTS.closing, notice);
        socket.disconnect(true);
      }
    }
  }, SLOW_CONSUMER_SWEEP_MS);
  sweep.unref();

  return {
    io,
    /** Tells every socket why it is going, then closes them and the server. */
    async close(notice: ClosingNotice) {
      clearInterval(sweep);
      stopRevoke();
      io.local.emit(SOCKET_EVENTS.closing, notice);
      // Not io.close(): that would also close the HTTP server, which Fastify owns.
      io.local.disconnectSockets(true);
      io.engine.close();
      for (const room of rooms.values()) room.stop();
      rooms.clear();
    },
  };
}
