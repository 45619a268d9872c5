import { HTTP_PATHS } from "@repo/protocol";
import type http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { io } from "socket.io-client";
import type { Dispatcher } from "undici";
import { WebSocket } from "ws";
import { isBenchEnvelope, monotonicMs, type Envelope } from "../message";
import type { Scenario } from "../scenarios";
import { frameText } from "./frame-text";
import { httpRequest, openEventStream, pollRequest } from "./http";
import { counters } from "./meter";

/**
 * Lean raw subscribers, one per transport, so client overhead stays small and
 * equal between Switchboard and its baseline: undici for polls, node:http for SSE
 * (a hand-written event-stream parser), socket.io-client and ws for sockets.
 */

export interface SubscriberContext {
  url: string;
  topic: string;
  agent: http.Agent;
  /** The same connections' settings for pollers, which go through undici (http.ts, pollRequest). */
  dispatcher: Dispatcher;
  pollIntervalMs: number;
  /** Switchboard session token (Bearer / socket.io auth). */
  token?: string;
  /** A ticket fetched beforehand (Switchboard SSE); fetched on open otherwise. */
  ticket?: string;
  /** Called for every bench event with the monotonic receive time; absent for idle connections. */
  onEnvelope?: (envelope: Envelope, receivedAt: number) => void;
  /** Delay before the first poll, to spread pollers over the interval. */
  startDelayMs?: number;
  /** Source address of the socket.io connection (flood rows: one loopback address per client); HTTP takes it from `agent`. */
  localAddress?: string;
}

export interface Subscriber {
  /** Resolves once the subscriber is live (subscribed, stream ready, first poll answered). */
  ready: Promise<void>;
  close(): void;
  /** Poll transports: the request the next poll would send (for the empty-poll probe). */
  nextRequest?(): { url: string; headers: Record<string, string> };
}

const CONNECT_TIMEOUT_MS = 20_000;
const POLL_TIMEOUT_MS = 15_000;
const LONG_POLL_TIMEOUT_MS = 40_000;

function deliver(context: SubscriberContext, value: unknown, receivedAt: number) {
  if (isBenchEnvelope(value)) context.onEnvelope?.(value, receivedAt);
}

function bearer(context: SubscriberContext): Record<string, string> {
  return context.token ? { authorization: `Bearer ${context.token}` } : {};
}

export async function fetchTicket(context: Pick<SubscriberContext, "url" | "agent" | "token">): Promise<string> {
  const answer = await httpRequest(`${context.url}${HTTP_PATHS.sseTicket}`, {
    method: "POST",
    headers: { authorization: `Bearer ${context.token}` },
    agent: context.agent,
    timeoutMs: CONNECT_TIMEOUT_MS,
  });
  if (answer.status !== 201) throw new Error(`ticket: ${answer.status} ${answer.body}`);
  return (JSON.parse(answer.body) as { ticket: string }).ticket;
}

export async function signIn(context: Pick<SubscriberContext, "url" | "agent">, name: string): Promise<string> {
  const answer = await httpRequest(`${context.url}${HTTP_PATHS.session}`, {
    method: "POST",
    body: JSON.stringify({ name }),
    agent: context.agent,
    timeoutMs: CONNECT_TIMEOUT_MS,
  });
  if (answer.status !== 201) throw new Error(`sign-in: ${answer.status} ${answer.body}`);
  return (JSON.parse(answer.body) as { token: string }).token;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function socketIoSubscriber(context: SubscriberContext, switchboard: boolean): Subscriber {
  counters.requests++;
  const socket = io(context.url, {
    path: switchboard ? HTTP_PATHS.socket : "/socket.io",
    transports: ["websocket"],
    auth: switchboard ? { token: context.token } : undefined,
    forceNew: true,
    reconnection: false,
    timeout: CONNECT_TIMEOUT_MS,
    // engine.io-client hands `localAddress` to ws at runtime; its typings omit it.
    ...(context.localAddress ? ({ localAddress: context.localAddress } as Record<string, unknown>) : {}),
  });
  socket.on("event", (value: unknown) => deliver(context, value, monotonicMs()));
  socket.on("reset", () => counters.anomalies++);
  socket.on("closing", () => counters.anomalies++);
  let closing = false;
  socket.on("disconnect", () => {
    if (!closing) counters.errors++;
  });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error) => reject(error));
  });
  const ready = withTimeout(
    connected.then(async () => {
      if (!switchboard) return;
      const ack = (await socket.timeout(CONNECT_TIMEOUT_MS).emitWithAck("subscribe", { cursor: `${context.topic}@` })) as { ok: boolean };
      if (!ack.ok) throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
    }),
    CONNECT_TIMEOUT_MS + 5000,
    "socket.io subscribe",
  );
  return {
    ready,
    close() {
      closing = true;
      socket.disconnect();
    },
  };
}

function wsSubscriber(context: SubscriberContext): Subscriber {
  counters.requests++;
  const socket = new WebSocket(context.url.replace(/^http/, "ws"), { perMessageDeflate: false, handshakeTimeout: CONNECT_TIMEOUT_MS });
  socket.on("message", (data) => {
    const receivedAt = monotonicMs();
    deliver(context, JSON.parse(frameText(data)), receivedAt);
  });
  let closing = false;
  socket.on("close", () => {
    if (!closing) counters.errors++;
  });
  const ready = new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", (error) => reject(error));
  });
  return {
    ready,
    close() {
      closing = true;
      socket.terminate();
    },
  };
}

function sseSubscriber(context: SubscriberContext, switchboard: boolean): Subscriber {
  const abort = new AbortController();
  let ended = false;
  const onEnd = (error?: Error) => {
    if (ended) return;
    ended = true;
    if (!abort.signal.aborted) counters.errors++;
    void error;
  };
  let markReady: () => void = () => {};
  const streamReady = new Promise<void>((resolve) => (markReady = resolve));
  const onFrame = (event: string, data: string) => {
    if (event === "message") deliver(context, JSON.parse(data), monotonicMs());
    else if (event === "ready") markReady();
    else if (event === "reset" || event === "closing") counters.anomalies++;
  };
  const open = async () => {
    if (!switchboard) {
      // The bare server registers the stream before it answers, so it is live once headers arrive.
      await openEventStream(`${context.url}/sse`, { agent: context.agent, signal: abort.signal, timeoutMs: CONNECT_TIMEOUT_MS }, onFrame, onEnd);
      return;
    }
    const ticket = context.ticket ?? (await fetchTicket(context));
    const query = `cursor=${encodeURIComponent(`${context.topic}@`)}&ticket=${encodeURIComponent(ticket)}`;
    await openEventStream(`${context.url}${HTTP_PATHS.sse}?${query}`, { agent: context.agent, signal: abort.signal, timeoutMs: CONNECT_TIMEOUT_MS }, onFrame, onEnd);
    await withTimeout(streamReady, CONNECT_TIMEOUT_MS, "SSE ready frame");
  };
  return { ready: open(), close: () => abort.abort() };
}

interface PollAnswer {
  envelopes: unknown[];
  /** Switchboard: the cursor to send next; bare: the last seq. */
  next: string;
  more: boolean;
}

/**
 * Short polling (a poll every interval, with If-None-Match) and long polling
 * (the next request as soon as the previous answer is in), for Switchboard's
 * `/v1/poll`/`/v1/long-poll` and the bare `/poll`/`/long-poll`.
 */
function pollSubscriber(context: SubscriberContext, mode: "short" | "long", switchboard: boolean): Subscriber {
  const abort = new AbortController();
  let position: string | null = null;
  let etag: string | undefined;

  const requestFor = (first: boolean): { url: string; headers: Record<string, string> } => {
    const headers: Record<string, string> = { ...bearer(context) };
    if (etag) headers["if-none-match"] = etag;
    if (switchboard) {
      const path = mode === "short" ? HTTP_PATHS.poll : HTTP_PATHS.longPoll;
      const cursor = encodeURIComponent(position ?? `${context.topic}@`);
      // The first long poll only learns the head (timeout=0), so the subscriber is live before publishing starts.
      return { url: `${context.url}${path}?cursor=${cursor}${first && mode === "long" ? "&timeout=0" : ""}`, headers };
    }
    const path = mode === "short" ? "/poll" : "/long-poll";
    return { url: `${context.url}${path}${position === null ? "" : `?after=${position}`}`, headers };
  };

  const parse = (body: string): PollAnswer => {
    if (switchboard) {
      const answer = JSON.parse(body) as { events: unknown[]; resets: unknown[]; cursor: string; more: boolean };
      if (answer.resets.length > 0) counters.anomalies += answer.resets.length;
      return { envelopes: answer.events, next: answer.cursor, more: answer.more };
    }
    const answer = JSON.parse(body) as { messages: unknown[]; last: number };
    return { envelopes: answer.messages, next: String(answer.last), more: false };
  };

  const pollOnce = async (first: boolean): Promise<boolean> => {
    const { url, headers } = requestFor(first);
    const answer = await pollRequest(url, {
      headers,
      dispatcher: context.dispatcher,
      timeoutMs: mode === "long" ? LONG_POLL_TIMEOUT_MS : POLL_TIMEOUT_MS,
      signal: abort.signal,
    });
    const receivedAt = monotonicMs();
    if (answer.status === 304) return false;
    if (answer.status !== 200) throw new Error(`poll answered ${answer.status}: ${answer.body.slice(0, 200)}`);
    const parsed = parse(answer.body);
    for (const envelope of parsed.envelopes) deliver(context, envelope, receivedAt);
    position = parsed.next;
    const tag = answer.headers.etag;
    etag = typeof tag === "string" ? tag : undefined;
    return parsed.more;
  };

  const ready = (async () => {
    if (mode === "short" && context.startDelayMs) await sleep(context.startDelayMs, undefined, { signal: abort.signal }).catch(() => {});
    await pollOnce(true);
  })();

  void ready.then(async () => {
    while (!abort.signal.aborted) {
      try {
        const more = await pollOnce(false);
        if (mode === "short" && !more) await sleep(context.pollIntervalMs, undefined, { signal: abort.signal });
      } catch {
        if (abort.signal.aborted) break;
        counters.errors++;
        await sleep(500, undefined, { signal: abort.signal }).catch(() => {});
      }
    }
  }, () => {});

  return { ready, close: () => abort.abort(), nextRequest: () => requestFor(false) };
}

export function openSubscriber(scenario: Scenario, context: SubscriberContext): Subscriber {
  switch (scenario) {
    case "websocket":
      return socketIoSubscriber(context, true);
    case "bare-socketio":
      return socketIoSubscriber(context, false);
    case "bare-ws":
      return wsSubscriber(context);
    case "sse":
      return sseSubscriber(context, true);
    case "bare-sse":
      return sseSubscriber(context, false);
    case "polling":
      return pollSubscriber(context, "short", true);
    case "bare-poll":
      return pollSubscriber(context, "short", false);
    case "long-polling":
      return pollSubscriber(context, "long", true);
    case "bare-long-poll":
      return pollSubscriber(context, "long", false);
  }
}
