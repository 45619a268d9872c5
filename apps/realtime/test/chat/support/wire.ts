// Bare subscribers for the four transports, so chat tests see exactly what
// goes over the wire: events, signals (poll body `signals`, SSE `event: signal`,
// socket `signal`), resets and the cursor, rather than what the SDK (@repo/client)
// makes of it.
import {
  httpStatusOf,
  PollResponse,
  SOCKET_EVENTS,
  SOCKET_PATH,
  type ClientToServerEvents,
  type EventEnvelope,
  type ResetSignal,
  type ServerToClientEvents,
  type Signal,
  type SubscribeAck,
  type TransportName,
} from "@repo/protocol";
import { io, type Socket } from "socket.io-client";
import { openRawSse } from "../../support/raw-sse";
import { sleep } from "./chat-harness";

export const TRANSPORTS: readonly TransportName[] = ["polling", "long-polling", "sse", "websocket"];

export interface WireSubscription {
  transport: TransportName;
  events(): EventEnvelope[];
  signals(): Signal[];
  resets(): ResetSignal[];
  /** The resume cursor as the server last stated it (poll `cursor`, SSE `id:`, socket ack + events). */
  cursor(): string;
  /** Poll transports: the `signalsSince` to carry into the next poll (0 for streams, which never replay signals). */
  signalsSince(): number;
  /** Later requests the server refused (HTTP status), or the stream ended by the server. */
  failures(): Array<number | "ended">;
  close(): Promise<void>;
}

export type SubscribeOutcome = { ok: true; sub: WireSubscription } | { ok: false; status: number };

export interface SubscribeOptions {
  /** Poll transports: the `signals` timestamp to start from. */
  signalsSince?: number;
  /** SSE: resume through Last-Event-ID rather than the query (a native reconnect). */
  lastEventId?: string;
}

/** Subscribes `cursor` over one transport; resolves once the subscription is live (or refused). */
export function subscribeAt(
  transport: TransportName,
  baseUrl: string,
  token: string,
  cursor: string,
  options: SubscribeOptions = {},
): Promise<SubscribeOutcome> {
  switch (transport) {
    case "polling":
    case "long-polling":
      return subscribePolling(transport, baseUrl, token, cursor, options);
    case "sse":
      return subscribeSse(baseUrl, token, cursor, options);
    case "websocket":
      return subscribeSocket(baseUrl, token, cursor);
  }
}

/** Subscribes and expects success. */
export async function mustSubscribe(...args: Parameters<typeof subscribeAt>): Promise<WireSubscription> {
  const outcome = await subscribeAt(...args);
  if (!outcome.ok) throw new Error(`subscribing over ${args[0]} failed with ${outcome.status}`);
  return outcome.sub;
}

async function subscribePolling(
  transport: "polling" | "long-polling",
  baseUrl: string,
  token: string,
  initial: string,
  options: SubscribeOptions,
): Promise<SubscribeOutcome> {
  const events: EventEnvelope[] = [];
  const signals: Signal[] = [];
  const resets: ResetSignal[] = [];
  const failures: Array<number | "ended"> = [];
  let cursor = initial;
  let signalsSince = options.signalsSince ?? 0;
  let etag: string | undefined;
  const abort = new AbortController();
  const path = transport === "polling" ? "/v1/poll" : "/v1/long-poll";

  async function pollOnce(timeoutMs: number): Promise<number> {
    const query = `cursor=${encodeURIComponent(cursor)}&signals=${signalsSince}${transport === "long-polling" ? `&timeout=${timeoutMs}` : ""}`;
    const response = await fetch(`${baseUrl}${path}?${query}`, {
      headers: { authorization: `Bearer ${token}`, ...(etag ? { "if-none-match": etag } : {}) },
      signal: abort.signal,
    });
    if (response.status === 304) return 304;
    if (response.status !== 200) {
      await response.body?.cancel();
      return response.status;
    }
    const body = PollResponse.parse(await response.json());
    etag = response.headers.get("etag") ?? undefined;
    events.push(...body.events);
    // A poll may re-send a signal stamped in the millisecond it was read: drop it by id, as clients do.
    for (const signal of body.signals) if (!signals.some((seen) => seen.id === signal.id)) signals.push(signal);
    resets.push(...body.resets);
    cursor = body.cursor;
    signalsSince = body.signalsSince;
    return 200;
  }

  // The first request answers at once, so the caller learns about a refusal right away.
  const first = await pollOnce(0);
  if (first !== 200 && first !== 304) return { ok: false, status: first };
  let closed = false;
  const loop = (async () => {
    while (!closed) {
      if (transport === "polling") await sleep(25);
      try {
        const status = await pollOnce(1000);
        if (status !== 200 && status !== 304) {
          failures.push(status);
          return;
        }
      } catch (error) {
        if (!closed) throw error;
      }
    }
  })();

  return {
    ok: true,
    sub: {
      transport,
      events: () => events,
      signals: () => signals,
      resets: () => resets,
      cursor: () => cursor,
      signalsSince: () => signalsSince,
      failures: () => failures,
      async close() {
        closed = true;
        abort.abort();
        await loop.catch(() => undefined);
      },
    },
  };
}

async function subscribeSse(baseUrl: string, token: string, cursor: string, options: SubscribeOptions): Promise<SubscribeOutcome> {
  const ticketResponse = await fetch(`${baseUrl}/v1/sse/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  const { ticket } = (await ticketResponse.json()) as { ticket: string };
  const sse = openRawSse(
    `${baseUrl}/v1/sse?cursor=${encodeURIComponent(cursor)}&ticket=${encodeURIComponent(ticket)}`,
    options.lastEventId ? { "last-event-id": options.lastEventId } : {},
  );
  const response = await sse.opened;
  if (response.statusCode !== 200) {
    sse.destroy();
    return { ok: false, status: response.statusCode ?? 0 };
  }
  await sse.waitFor(() => sse.frames.some((frame) => frame.event === "ready"));
  const of = <T>(event: string) => sse.frames.filter((frame) => frame.event === event).map((frame) => JSON.parse(frame.data) as T);
  return {
    ok: true,
    sub: {
      transport: "sse",
      events: () => of<EventEnvelope>("message"),
      signals: () => of<Signal>("signal"),
      resets: () => of<ResetSignal>("reset"),
      cursor: () => sse.frames.findLast((frame) => frame.id !== undefined)?.id ?? cursor,
      signalsSince: () => 0,
      failures: () => (sse.ended() ? ["ended"] : []),
      async close() {
        sse.destroy();
      },
    },
  };
}

async function subscribeSocket(baseUrl: string, token: string, initial: string): Promise<SubscribeOutcome> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(baseUrl, {
    path: SOCKET_PATH,
    transports: ["websocket"],
    auth: { token },
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error) => reject(error));
  });
  const events: EventEnvelope[] = [];
  const signals: Signal[] = [];
  const resets: ResetSignal[] = [];
  const failures: Array<number | "ended"> = [];
  const positions = new Map<string, string>();
  socket.on(SOCKET_EVENTS.event, (event) => {
    events.push(event);
    positions.set(event.topic, `${event.epoch}.${event.offset}`);
  });
  socket.on(SOCKET_EVENTS.signal, (signal) => signals.push(signal));
  socket.on(SOCKET_EVENTS.reset, (reset) => resets.push(reset));
  socket.on("disconnect", (reason) => {
    if (reason !== "io client disconnect") failures.push("ended");
  });
  const ack = (await socket.timeout(5000).emitWithAck(SOCKET_EVENTS.subscribe, { cursor: initial })) as SubscribeAck;
  if (!ack.ok) {
    socket.disconnect();
    return { ok: false, status: httpStatusOf(ack.error.code) };
  }
  for (const part of ack.cursor.split(",")) {
    const [topic, position] = part.split("@");
    // The ack comes after the backlog, so its positions are the latest.
    if (topic && position) positions.set(topic, position);
  }
  return {
    ok: true,
    sub: {
      transport: "websocket",
      events: () => events,
      signals: () => signals,
      resets: () => resets,
      cursor: () => [...positions].map(([topic, position]) => `${topic}@${position}`).join(","),
      signalsSince: () => 0,
      failures: () => failures,
      async close() {
        socket.disconnect();
      },
    },
  };
}
