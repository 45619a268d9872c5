/**
 * The load generator, in its own process: opens the subscribers of one bench
 * row, records every receipt (seq, latency), counts wire bytes and requests,
 * and opens idle connections for the memory measurement.
 */
import http from "node:http";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { serveApi } from "./ipc";
import { monotonicMs } from "./message";
import { isSwitchboard, type Scenario } from "./scenarios";
import { summarize } from "./stats";
import { httpRequest } from "./loadgen/http";
import { counters, wireBytes } from "./loadgen/meter";
import { Receipts } from "./loadgen/receipts";
import { fetchTicket, openSubscriber, signIn, type Subscriber, type SubscriberContext } from "./loadgen/subscribers";

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 20_000 });
const receipts = new Receipts();
let row: { scenario: Scenario; url: string; topic: string; pollIntervalMs: number } | undefined;
let tokens: string[] = [];
let subscribers: Subscriber[] = [];
let idle: Subscriber[] = [];
let idleTickets: string[] = [];

function current() {
  if (!row) throw new Error("connect first");
  return row;
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight; collects failures. */
async function inBatches(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<Error[]> {
  const failures: Error[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failures.push(error instanceof Error ? error : new Error(String(error)));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return failures;
}

function contextFor(index: number, extra: Partial<SubscriberContext>): SubscriberContext {
  const { url, topic, pollIntervalMs } = current();
  return { url, topic, agent, pollIntervalMs, token: tokens.length > 0 ? tokens[index % tokens.length] : undefined, ...extra };
}

const api = {
  async connect(args: { scenario: Scenario; url: string; topic: string; subscribers: number; pollIntervalMs: number }) {
    row = { scenario: args.scenario, url: args.url, topic: args.topic, pollIntervalMs: args.pollIntervalMs };
    receipts.clear();
    const startedAt = monotonicMs();
    tokens = [];
    if (isSwitchboard(args.scenario)) {
      const signed: string[] = new Array<string>(args.subscribers);
      const failures = await inBatches(args.subscribers, 8, async (i) => {
        signed[i] = await signIn({ url: args.url, agent }, `bench-${i}`);
      });
      if (failures.length > 0) throw new Error(`sign-in failed ${failures.length}×: ${failures[0]!.message}`);
      tokens = signed;
    }
    const signInMs = monotonicMs() - startedAt;
    subscribers = [];
    const failures = await inBatches(args.subscribers, 50, async (i) => {
      const log = receipts.add();
      const subscriber = openSubscriber(
        args.scenario,
        contextFor(i, {
          onEnvelope: (envelope, receivedAt) => receipts.record(log, envelope, receivedAt),
          startDelayMs: Math.floor((i / args.subscribers) * args.pollIntervalMs),
        }),
      );
      subscribers.push(subscriber);
      await subscriber.ready;
    });
    if (failures.length > 0) throw new Error(`${failures.length} of ${args.subscribers} subscribers failed: ${failures[0]!.message}`);
    return { connected: subscribers.length, signInMs, connectMs: monotonicMs() - startedAt - signInMs };
  },

  /** A point of the measurement window: wire bytes, requests, errors, CPU. */
  mark() {
    return { t: monotonicMs(), bytes: wireBytes(), ...counters, cpu: process.cpuUsage() };
  },

  /** Waits until every subscriber has every message up to `lastSeq` (or the timeout). */
  async drain(args: { lastSeq: number; timeoutMs: number }) {
    const startedAt = monotonicMs();
    const done = () => receipts.subscribers.every((log) => log.highest >= args.lastSeq && log.uniqueUpTo(args.lastSeq) === args.lastSeq);
    while (!done() && monotonicMs() - startedAt < args.timeoutMs) await sleep(50);
    return { drained: done(), waitedMs: monotonicMs() - startedAt };
  },

  /** Latency over first receipts of seq in [fromSeq, toSeq]; loss, duplicates and order over 1..lastSeq. */
  report(args: { fromSeq: number; toSeq: number; lastSeq: number }) {
    const latency = summarize(receipts.latenciesBetween(args.fromSeq, args.toSeq));
    let received = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    for (const log of receipts.subscribers) {
      received += log.uniqueUpTo(args.lastSeq);
      duplicates += log.duplicates;
      outOfOrder += log.outOfOrder;
    }
    const expected = receipts.subscribers.length * args.lastSeq;
    return { latency, windowDeliveries: latency.samples, expected, received, lost: expected - received, duplicates, outOfOrder, ...counters };
  },

  /**
   * The cost of one empty poll: subscriber 0's next request (same cursor and
   * If-None-Match), sent on a fresh connection so its socket counts exactly
   * that request and its answer.
   */
  async emptyPoll() {
    const next = subscribers[0]?.nextRequest?.();
    if (!next) return null;
    const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let socket: Socket | undefined;
    const answer = await httpRequest(next.url, { headers: next.headers, agent: probeAgent, timeoutMs: 10_000, onSocket: (s) => (socket = s) });
    await sleep(20);
    const result = { status: answer.status, responseBytes: socket?.bytesRead ?? 0, requestBytes: socket?.bytesWritten ?? 0 };
    probeAgent.destroy();
    return result;
  },

  async closeSubscribers() {
    for (const subscriber of subscribers) subscriber.close();
    subscribers = [];
    await sleep(200);
    return { sockets: wireBytes().sockets };
  },

  /** Fetches what idle connections need before the "before" heap sample (SSE tickets). */
  async prepareIdle(args: { count: number }) {
    idleTickets = [];
    const { scenario, url } = current();
    if (scenario !== "sse") return { tickets: 0 };
    const tickets = new Array<string>(args.count);
    const failures = await inBatches(args.count, 16, async (i) => {
      tickets[i] = await fetchTicket({ url, agent, token: tokens[i % tokens.length] });
    });
    if (failures.length > 0) throw new Error(`ticket fetch failed ${failures.length}×: ${failures[0]!.message}`);
    idleTickets = tickets;
    return { tickets: tickets.length };
  },

  /** Opens `count` idle subscribers (subscribed, nothing published). */
  async openIdle(args: { count: number }) {
    const { scenario } = current();
    const startedAt = monotonicMs();
    idle = [];
    const failures = await inBatches(args.count, 50, async (i) => {
      const subscriber = openSubscriber(scenario, contextFor(i, { ticket: idleTickets[i] }));
      idle.push(subscriber);
      await subscriber.ready;
    });
    return { opened: args.count - failures.length, failed: failures.length, firstError: failures[0]?.message, openMs: monotonicMs() - startedAt };
  },

  async closeIdle() {
    for (const subscriber of idle) subscriber.close();
    idle = [];
    await sleep(200);
    return null;
  },
};

export type LoadgenApi = typeof api;

serveApi(api);
process.on("SIGTERM", () => {
  for (const subscriber of [...subscribers, ...idle]) subscriber.close();
  agent.destroy();
  process.exit(0);
});
