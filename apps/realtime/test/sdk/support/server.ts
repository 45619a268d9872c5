import type { Socket } from "node:net";
import { createDatabase, type Database } from "@repo/db";
import { createClient, type ClientOptions, type RealtimeClient } from "@repo/client";
import { HTTP_PATHS, type Position, type SessionResponse, type Topic } from "@repo/protocol";
import { createServer, type RealtimeServer, type ServerDeps } from "../../../src/server";
import { ALLOWED_ORIGIN, RELAXED_ADDRESS_LIMITS } from "../../support/start-server";

export { ALLOWED_ORIGIN };
export const FOREIGN_ORIGIN = "http://evil.example";

type ServerConfig = RealtimeServer["config"];
type ServerFeatures = NonNullable<ServerDeps["features"]>;
export type Feature = ServerFeatures[number];

export interface TestServer {
  server: RealtimeServer;
  db: Database;
  baseUrl: string;
  /** Destroys every TCP connection the server holds, as a network failure would; returns how many. */
  dropConnections(): number;
  /** The value of one series on GET /metrics (e.g. `switchboard_open{transport="sse"}`). */
  gauge(series: string): Promise<number>;
  stop(): Promise<void>;
}

/** The real service in-process on a free port, over an in-memory PGlite database, with test-friendly limits. */
export async function startTestServer(
  config: Partial<ServerConfig> = {},
  reuse: { db?: Database; port?: number; features?: ServerFeatures; hub?: ServerDeps["hub"]; redis?: ServerDeps["redis"] } = {},
): Promise<TestServer> {
  const db = reuse.db ?? (await createDatabase({ pgliteDir: "memory" }));
  const server = await createServer({
    db,
    logger: { level: "silent" },
    features: reuse.features,
    hub: reuse.hub,
    redis: reuse.redis,
    config: {
      allowedOrigins: [ALLOWED_ORIGIN],
      longPollTimeoutMs: 2_000,
      longPollLingerMs: 10,
      sseHeartbeatMs: 1_000,
      commandLimits: { points: 100_000, windowSeconds: 1 },
      // One test user opens dozens of streams and polls at once; the caps have tests of their own.
      connectionLimits: { perUser: 1_000, perIp: 10_000 },
      commandRequestLimits: { points: 100_000, windowSeconds: 1 },
      // Every test's guests sign in, poll and subscribe from 127.0.0.1.
      addressLimits: RELAXED_ADDRESS_LIMITS,
      ...config,
    },
  });
  const sockets = new Set<Socket>();
  server.app.server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const baseUrl = await server.listen({ port: reuse.port ?? 0 });
  return {
    server,
    db,
    baseUrl,
    dropConnections() {
      const count = sockets.size;
      for (const socket of sockets) socket.destroy();
      return count;
    },
    async gauge(series) {
      const text = await (await fetch(`${baseUrl}${HTTP_PATHS.metrics}`)).text();
      const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
      if (!line) throw new Error(`no series ${series} in /metrics`);
      return Number(line.slice(series.length + 1));
    },
    async stop() {
      await server.close();
      if (!reuse.db) await db.close();
    },
  };
}

/** Signs a guest in over real HTTP. */
export async function signIn(baseUrl: string, name = "Ada"): Promise<SessionResponse> {
  const response = await fetch(`${baseUrl}${HTTP_PATHS.session}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (response.status !== 201) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as SessionResponse;
}

/** The transports table: every scenario runs once per row. A new transport adds a row. */
export const transports = [
  { name: "polling", options: { pollIntervalMs: 25 } },
  { name: "long-polling", options: { longPollTimeoutMs: 2_000 } },
  { name: "sse", options: {} },
  { name: "websocket", options: {} },
] as const satisfies ReadonlyArray<{ name: string; options: Partial<ClientOptions> }>;

export type TransportRow = (typeof transports)[number];

/** A client with short timeouts and a fast backoff, for tests. */
export function testClient(baseUrl: string, token: string, transport: string, options: Partial<ClientOptions> = {}): RealtimeClient {
  return createClient({
    url: baseUrl,
    transport,
    auth: { token },
    pollIntervalMs: 25,
    longPollTimeoutMs: 2_000,
    requestTimeoutMs: 5_000,
    ackTimeoutMs: 5_000,
    commandTimeoutMs: 5_000,
    reconnect: { baseMs: 20, maxMs: 200 },
    ...options,
  });
}

/** Subscribes and records what arrives. */
export function record(client: RealtimeClient, topic: Topic, cursor: Position | null) {
  const offsets: number[] = [];
  const payloads: unknown[] = [];
  const resets: Array<{ reason: string; position: Position }> = [];
  const errors: Error[] = [];
  const unsubscribe = client.subscribe(
    topic,
    (event) => {
      offsets.push(event.offset);
      payloads.push(event.payload);
    },
    { cursor, onReset: (reset) => resets.push(reset), onError: (error) => errors.push(error) },
  );
  return { offsets, payloads, resets, errors, unsubscribe };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** 1..n after `from`: what a gap-free, duplicate-free stream must contain. */
export function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i + 1);
}
