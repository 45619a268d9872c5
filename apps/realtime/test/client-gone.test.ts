import { createDatabase, type Database } from "@repo/db";
import { HTTP_PATHS } from "@repo/protocol";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createServer, type RealtimeServer } from "../src/server";
import { connect } from "node:net";
import { ALLOWED_ORIGIN, RELAXED_ADDRESS_LIMITS, signIn } from "./support/start-server";

// Fastify's request.ip reads the socket, so it is undefined once the client has gone. Under load
// a request's handler can run after its client gave up (the flags bench saw 500 "unhandled error"
// from addressKey(undefined)). A hook holds requests marked x-test-hang-up until their socket has
// closed, so the handler always runs with the client gone: deterministic, over real HTTP.
vi.setConfig({ testTimeout: 60_000 });

const HANG_UP = "x-test-hang-up";
const lines: string[] = [];
let db: Database;
let server: RealtimeServer;
let baseUrl: string;
let token: string;

beforeAll(async () => {
  db = await createDatabase({ pgliteDir: "memory" });
  // warn: the info-level request log would read (and Node cache) the address before the client goes.
  const logger = pino({ level: "warn" }, { write: (line: string) => void lines.push(line) });
  server = await createServer({ db, config: { allowedOrigins: [ALLOWED_ORIGIN], addressLimits: RELAXED_ADDRESS_LIMITS }, logger });
  server.app.addHook("onRequest", async (request) => {
    if (request.headers[HANG_UP] === undefined) return;
    const socket = request.raw.socket;
    if (!socket.destroyed) await new Promise((resolve) => socket.once("close", resolve));
  });
  baseUrl = await server.listen({ port: 0 });
  ({ token } = await signIn(baseUrl));
});

afterAll(async () => {
  await server.close();
  await db.close();
});

const cursor = encodeURIComponent("system:ticker@");
const requests = [
  { name: "short poll", method: "GET", path: `${HTTP_PATHS.poll}?cursor=${cursor}`, body: "" },
  { name: "long poll", method: "GET", path: `${HTTP_PATHS.longPoll}?cursor=${cursor}&timeout=1000`, body: "" },
  { name: "SSE", method: "GET", path: `${HTTP_PATHS.sse}?cursor=${cursor}`, body: "" },
  { name: "sign-in", method: "POST", path: HTTP_PATHS.session, body: JSON.stringify({ name: "Gone" }) },
  { name: "SSE ticket", method: "POST", path: HTTP_PATHS.sseTicket, body: "" },
  {
    name: "command",
    method: "POST",
    path: HTTP_PATHS.commands,
    body: JSON.stringify({ id: "11111111-1111-4111-8111-111111111111", type: "chat.createRoom", payload: { name: "gone" } }),
  },
];

describe("a request whose client has gone before its address is read", () => {
  test.each(requests)("$name: no unhandled error, the service answers the next client", async ({ method, path, body }) => {
    const before = lines.length;
    const { port, hostname } = new URL(baseUrl);
    const head = [
      `${method} ${path} HTTP/1.1`,
      `host: ${hostname}`,
      `${HANG_UP}: 1`,
      `authorization: Bearer ${token}`,
      `origin: ${ALLOWED_ORIGIN}`,
      "content-type: application/json",
      `content-length: ${Buffer.byteLength(body)}`,
    ];
    const socket = connect(Number(port), hostname);
    socket.on("error", () => undefined);
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(`${head.join("\r\n")}\r\n\r\n${body}`);
    // Let the server read the whole request, then go (a reset: the server's socket closes at once).
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.resetAndDestroy();
    // The held handler runs once the socket's close is seen: give it time to finish.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const errors = lines.slice(before).filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errors).toEqual([]);
    const health = await fetch(`${baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});
