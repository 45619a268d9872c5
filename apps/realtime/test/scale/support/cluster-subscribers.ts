import type { RealtimeClient } from "@repo/client";
import type { Topic } from "@repo/protocol";
import { testClient, transports, waitFor } from "../../sdk/support/server";
import type { ProcessCluster } from "./process-cluster";

/** Transports whose connection stays on the instance it opened on. */
export const STREAMING: readonly string[] = ["sse", "websocket"];
/** Transports that hold a connection or request open on an instance (what a fault cuts). */
export const HOLDING: readonly string[] = ["long-polling", "sse", "websocket"];

/** One SDK client reading numbered echoes through nginx. */
export interface Subscriber {
  transport: string;
  client: RealtimeClient;
  numbers: number[];
  offsets: number[];
  resets: number;
  /** When each number arrived (ms since epoch), to measure a resume. */
  arrivals: number[];
  /** Saw `reconnecting` once `watchCuts` was called: its connection was cut. */
  cut: boolean;
}

/** Open connections of `transport` on instance `index` (its own /metrics). */
export function openOn(cluster: ProcessCluster, index: number, transport: string): Promise<number> {
  return cluster.gauge(index, `switchboard_open{transport="${transport}"}`);
}

/**
 * `perTransport` subscribers of every transport on `topic` (from its head), through nginx. Streams
 * stay where they opened, so more are opened (up to `maxPerTransport`), nudging nginx's
 * round-robin, until both instances hold some of each streaming transport.
 */
export async function openSubscribers(
  cluster: ProcessCluster,
  token: string,
  topic: Topic,
  sizes: { perTransport: number; maxPerTransport: number },
): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = [];
  const bothHold = async (transport: string) => (await openOn(cluster, 0, transport)) > 0 && (await openOn(cluster, 1, transport)) > 0;
  for (const { name, options } of transports) {
    const streaming = STREAMING.includes(name);
    for (let i = 0; i < sizes.perTransport || (streaming && i < sizes.maxPerTransport && !(await bothHold(name))); i++) {
      const before = streaming ? await Promise.all([0, 1].map((index) => openOn(cluster, index, name))) : [];
      const client = testClient(cluster.url, token, name, { ...options, reconnect: { baseMs: 50, maxMs: 250 } });
      const subscriber: Subscriber = { transport: name, client, numbers: [], offsets: [], resets: 0, arrivals: [], cut: false };
      client.subscribe(
        topic,
        (event) => {
          subscriber.numbers.push(Number((event.payload as { text: string }).text));
          subscriber.offsets.push(event.offset);
          subscriber.arrivals.push(Date.now());
        },
        { cursor: null, onReset: () => subscriber.resets++ },
      );
      subscribers.push(subscriber);
      await client.whenOpen();
      await waitFor(() => client.cursors()[topic] != null, `${name} subscriber ${i}'s position`);
      if (!streaming) continue;
      const after = await Promise.all([0, 1].map((index) => openOn(cluster, index, name)));
      const landed = after[0]! > before[0]! ? 0 : 1;
      // Round-robin parity: an SSE subscriber makes two requests (ticket, stream), so every stream could land
      // on one instance. When the other holds none yet, one extra request through nginx shifts the next.
      if (after[1 - landed] === 0) await fetch(`${cluster.url}/healthz`);
    }
  }
  return subscribers;
}

/** From now on, a `reconnecting` status marks the subscriber as cut. */
export function watchCuts(subscribers: Subscriber[]): void {
  for (const subscriber of subscribers) {
    subscriber.client.on("status", (status) => {
      if (status === "reconnecting") subscriber.cut = true;
    });
  }
}

/** Time from `since` to the first event that arrived after it. */
export function resumeMs(subscriber: Subscriber, since: number): number {
  const after = subscriber.arrivals.find((at) => at > since);
  return after === undefined ? Number.POSITIVE_INFINITY : after - since;
}

export function summary(values: number[]): string {
  if (values.length === 0) return "n/a";
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${sorted[Math.floor((sorted.length - 1) / 2)]} / max ${sorted[sorted.length - 1]}`;
}
