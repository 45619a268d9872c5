/**
 * The load generator, in its own process: opens the subscribers of one bench
 * row, records every receipt (seq, latency), counts wire bytes and requests,
 * and opens idle connections for the memory measurement.
 */
import http from "node:http";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent as UndiciAgent } from "undici";
import { profileApi } from "./cpu-profile";
import { serveApi } from "./ipc";
import { monotonicMs } from "./message";
import { isSwitchboard, type Scenario } from "./scenarios";
import { summarize } from "./stats";
import { httpRequest } from "./loadgen/http";
import { counters, wireBytes } from "./loadgen/meter";
import { Receipts } from "./loadgen/receipts";
import { fetchTicket, openSubscriber, signIn, type Subscriber, type SubscriberContext } from "./loadgen/subscribers";

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 20_000 });
/**
 * The pollers' connections (undici). At most one per subscriber: when 10,000 long polls are answered at
 * once, an unbounded pool opens new sockets for the next polls before the answered ones are free again,
 * and the server ran out of file descriptors. Each subscriber has one request out at a time, so the cap never queues one for long.
 */
let dispatcher = new UndiciAgent({ keepAliveTimeout: 30_000 });
const receipts = new Receipts();
let row: { scenario: Scenario; url: string; topic: string; pollIntervalMs: number } | undefined;
let tokens: string[] = [];
let subscribers: Subscriber[] = [];
let idle: Subscriber[] = [];
let idleTickets: string[] = [];
/** Flood rows: one keep-alive agent per subscriber, bound to that subscriber's own loopback address. */
let agents: http.Agent[] = [];
let dispatchers: UndiciAgent[] = [];
let idleDispatcher: UndiciAgent | undefined;
let addresses: string[] = [];
let groupScenarios: Scenario[] = [];

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

/**
 * Flood rows run the service with its default limits, which may include a
 * limit on sign-ins in total: a refused (429) well-behaved sign-in waits and
 * tries again (1 + 2 + 4 + 8 s at most) instead of failing the row.
 */
async function signInPatiently(context: { url: string; agent: http.Agent }, name: string, patient: boolean): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await signIn(context, name);
    } catch (error) {
      if (!patient || attempt >= 4 || !(error as Error).message.startsWith("sign-in: 429")) throw error;
      await sleep(1000 * 2 ** attempt);
    }
  }
}

function contextFor(index: number, extra: Partial<SubscriberContext>): SubscriberContext {
  const { url, topic, pollIntervalMs } = current();
  return {
    url,
    topic,
    agent: agents[index] ?? agent,
    dispatcher: dispatchers[index] ?? dispatcher,
    localAddress: addresses[index],
    pollIntervalMs,
    token: tokens.length > 0 ? tokens[index % tokens.length] : undefined,
    ...extra,
  };
}

/** A group of subscribers of one transport; a flood row mixes several. */
export interface SubscriberGroup {
  scenario: Scenario;
  subscribers: number;
}

const api = {
  /** A V8 CPU profile of the load generator over the measured window (--profile): is the client the bottleneck? */
  ...profileApi,

  /**
   * Signs in and opens the row's subscribers: `subscribers` of `scenario`, or
   * the `groups` given (flood rows), each subscriber from its own loopback
   * source address when `addresses` is given (so per-IP limits see distinct clients).
   */
  async connect(args: {
    scenario: Scenario;
    url: string;
    topic: string;
    subscribers: number;
    pollIntervalMs: number;
    groups?: SubscriberGroup[];
    addresses?: string[];
    /** Sessions to sign in, shared round-robin by the subscribers (default: one each). */
    sessions?: number;
  }) {
    row = { scenario: args.scenario, url: args.url, topic: args.topic, pollIntervalMs: args.pollIntervalMs };
    receipts.clear();
    const groups = args.groups ?? [{ scenario: args.scenario, subscribers: args.subscribers }];
    groupScenarios = groups.map((group) => group.scenario);
    const plan = groups.flatMap((group, index) => Array.from({ length: group.subscribers }, () => ({ group: index, scenario: group.scenario })));
    const total = plan.length;
    for (const old of agents) old.destroy();
    for (const old of dispatchers) void old.destroy();
    void dispatcher.close();
    dispatcher = new UndiciAgent({ keepAliveTimeout: 30_000, connections: Math.max(1, total) });
    addresses = args.addresses ?? [];
    if (addresses.length > 0 && addresses.length < total) throw new Error(`${total} subscribers need as many addresses, got ${addresses.length}`);
    agents = addresses.slice(0, total).map((localAddress) => new http.Agent({ keepAlive: true, localAddress }));
    dispatchers = addresses.slice(0, total).map((localAddress) => new UndiciAgent({ keepAliveTimeout: 30_000, connections: 1, connect: { localAddress } }));
    const startedAt = monotonicMs();
    tokens = [];
    if (plan.some((entry) => isSwitchboard(entry.scenario))) {
      const sessions = Math.max(1, Math.min(total, args.sessions ?? total));
      const signed: string[] = new Array<string>(sessions);
      const failures = await inBatches(sessions, 8, async (i) => {
        signed[i] = await signInPatiently({ url: args.url, agent: agents[i] ?? agent }, `bench-${i}`, addresses.length > 0);
      });
      if (failures.length > 0) throw new Error(`sign-in failed ${failures.length}×: ${failures[0]!.message}`);
      tokens = signed;
    }
    const signInMs = monotonicMs() - startedAt;
    const openedAt = monotonicMs();
    subscribers = [];
    const failures = await inBatches(total, 50, async (i) => {
      const { group, scenario } = plan[i]!;
      const log = receipts.add(group);
      const subscriber = openSubscriber(
        scenario,
        contextFor(i, {
          onEnvelope: (envelope, receivedAt) => receipts.record(log, envelope, receivedAt),
          // Poller i's first poll is due (i / total) of an interval after the first one, counted from the start
          // of opening, not from its batch's: otherwise 10,000 pollers opened 50 at a time wait about 100 s in all.
          startDelayMs: Math.max(0, openedAt + Math.floor((i / total) * args.pollIntervalMs) - monotonicMs()),
        }),
      );
      subscribers.push(subscriber);
      await subscriber.ready;
    });
    if (failures.length > 0) throw new Error(`${failures.length} of ${total} subscribers failed: ${failures[0]!.message}`);
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
   * One window of a flood row: latency per subscriber group and overall, and
   * the window's messages each subscriber never received (by the end of the
   * drain). A message never received counts in the latency figures with the
   * least latency it had: `asOf` − the time it was due (`schedule`), so a
   * percentile over a window with losses is a lower bound, not an omission.
   */
  windowReport(args: { fromSeq: number; toSeq: number; asOf: number; schedule: { startSeq: number; startedAt: number; rate: number } }) {
    const count = Math.max(0, args.toSeq - args.fromSeq + 1);
    const dueAt = (seq: number) => args.schedule.startedAt + ((seq - args.schedule.startSeq - 1) * 1000) / args.schedule.rate;
    const censored = groupScenarios.map(() => [] as number[]);
    let lost = 0;
    for (const log of receipts.subscribers) {
      for (const seq of log.missingBetween(args.fromSeq, args.toSeq)) {
        censored[log.group]!.push(args.asOf - dueAt(seq));
        lost++;
      }
    }
    const expected = receipts.subscribers.length * count;
    const latencies = (group?: number) => [
      ...receipts.latenciesBetween(args.fromSeq, args.toSeq, group),
      ...(group === undefined ? censored.flat() : censored[group]!),
    ];
    return {
      latency: summarize(latencies()),
      groups: groupScenarios.map((scenario, group) => ({ scenario, latency: summarize(latencies(group)) })),
      expected,
      received: expected - lost,
      lost,
    };
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
    // Their own connections, one per idle subscriber, beside the row's (capped at its subscribers).
    void idleDispatcher?.close();
    idleDispatcher = new UndiciAgent({ keepAliveTimeout: 30_000, connections: Math.max(1, args.count) });
    const failures = await inBatches(args.count, 50, async (i) => {
      const subscriber = openSubscriber(scenario, contextFor(i, { ticket: idleTickets[i], dispatcher: idleDispatcher }));
      idle.push(subscriber);
      await subscriber.ready;
    });
    const openMs = monotonicMs() - startedAt;
    return { opened: args.count - failures.length, failed: failures.length, firstError: failures[0]?.message, openMs, rss: process.memoryUsage().rss };
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
  for (const perAddress of agents) perAddress.destroy();
  void dispatcher.destroy();
  void idleDispatcher?.destroy();
  for (const perAddress of dispatchers) void perAddress.destroy();
  process.exit(0);
});
