import { createDatabase, type Database } from "@repo/db";
import { ErrorResponse, HealthResponse, ReadyResponse } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ServerConfig } from "../src/config";
import { createServer } from "../src/server";
import { ALLOWED_ORIGIN, startServer, type RunningServer } from "./support/start-server";

let running: RunningServer;
beforeAll(async () => {
  running = await startServer();
});
afterAll(async () => {
  await running.stop();
});

describe("health", () => {
  test("GET /healthz says the process is up", async () => {
    const response = await fetch(`${running.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(HealthResponse.parse(await response.json()).status).toBe("ok");
  });

  test("GET /readyz says the database is reachable", async () => {
    const response = await fetch(`${running.baseUrl}/readyz`);
    expect(response.status).toBe(200);
    expect(ReadyResponse.parse(await response.json())).toEqual({ status: "ready", database: "ok" });
  });

  test("GET /readyz is 503 once the database is gone", async () => {
    const own = await startServer();
    await own.db.close();
    const response = await fetch(`${own.baseUrl}/readyz`);
    expect(response.status).toBe(503);
    expect(ReadyResponse.parse(await response.json())).toEqual({ status: "unavailable", database: "down" });
    await own.server.close();
  });
});

describe("origin allowlist", () => {
  test("an allowed origin gets CORS with credentials", async () => {
    const response = await fetch(`${running.baseUrl}/healthz`, { headers: { origin: ALLOWED_ORIGIN } });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
  });

  test.each(["https://evil.example", "http://localhost:3000.evil.example", "http://localhost:3001", "null"])(
    "a foreign origin (%s) is refused with 403 before any work is done",
    async (origin) => {
      const before = await running.db.prisma.user.count();
      const response = await fetch(`${running.baseUrl}/v1/session`, {
        method: "POST",
        headers: { origin, "content-type": "application/json" },
        body: JSON.stringify({ name: "Eve" }),
      });
      expect(response.status).toBe(403);
      expect(ErrorResponse.parse(await response.json()).error.code).toBe("forbidden");
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
      expect(await running.db.prisma.user.count()).toBe(before);
    },
  );

  test("a CORS preflight from a foreign origin is refused", async () => {
    const response = await fetch(`${running.baseUrl}/v1/session`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(response.status).toBe(403);
  });

  test("unknown routes answer a typed 404", async () => {
    const response = await fetch(`${running.baseUrl}/nope`);
    expect(response.status).toBe(404);
    expect(ErrorResponse.parse(await response.json()).error.code).toBe("not_found");
  });
});

describe("readiness probe (F20)", () => {
  test("GET /readyz pings the database at most about once a second, however often it is asked", async () => {
    const real = await createDatabase({ pgliteDir: "memory" });
    let pings = 0;
    const db: Database = { ...real, ping: () => (pings++, real.ping()) };
    const own = await startServer({ db });
    const answers = await Promise.all(Array.from({ length: 25 }, () => fetch(`${own.baseUrl}/readyz`)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    for (let i = 0; i < 10; i++) expect((await fetch(`${own.baseUrl}/readyz`)).status).toBe(200);
    // 35 probes; one ping, or two if they straddled the cache's second.
    expect(pings).toBeGreaterThanOrEqual(1);
    expect(pings).toBeLessThanOrEqual(2);
    // It is a cache, not a one-off: a probe after the second pings again.
    const before = pings;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await fetch(`${own.baseUrl}/readyz`)).status).toBe(200);
    expect(pings).toBe(before + 1);
    await own.stop();
    await real.close();
  });
});

describe("metrics token (F20)", () => {
  const token = "metrics-token-for-tests-0123456789";
  let own: RunningServer;
  beforeAll(async () => {
    own = await startServer({ config: { metricsToken: token } });
  });
  afterAll(async () => {
    await own.stop();
  });

  test.each([
    ["no credentials", {}],
    ["a wrong token", { authorization: "Bearer metrics-token-for-tests-0123456780" }],
    ["a prefix of the token", { authorization: `Bearer ${token.slice(0, 10)}` }],
    ["the token without Bearer", { authorization: token }],
  ])("with %s /metrics is 401 unauthorized", async (_name, headers: Record<string, string>) => {
    const response = await fetch(`${own.baseUrl}/metrics`, { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("Bearer");
    expect(ErrorResponse.parse(await response.json()).error.code).toBe("unauthorized");
  });

  test("with the bearer token /metrics answers Prometheus text", async () => {
    const response = await fetch(`${own.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("# TYPE");
  });

  test("without a token configured /metrics stays open", async () => {
    const response = await fetch(`${running.baseUrl}/metrics`);
    expect(response.status).toBe(200);
  });
});

describe("trustProxy (F5)", () => {
  // One database for these services: booting PGlite is the slow part.
  let db: Database;
  beforeAll(async () => {
    db = await createDatabase({ pgliteDir: "memory" });
  });
  afterAll(async () => {
    await db.close();
  });

  /** A real service with one extra test route that shows what Fastify made of the client address. */
  async function serviceSeeingIp(config: Partial<ServerConfig>) {
    const server = await createServer({ db, config: { allowedOrigins: [ALLOWED_ORIGIN], ...config }, logger: { level: "silent" } });
    server.app.get("/test/ip", async (request) => ({ ip: request.ip }));
    const baseUrl = await server.listen({ port: 0 });
    const ipFor = async (headers: Record<string, string> = {}) =>
      ((await (await fetch(`${baseUrl}/test/ip`, { headers })).json()) as { ip: string }).ip;
    return {
      ipFor,
      stop: () => server.close(),
    };
  }

  test.each([
    ["the proxy's address", { trustProxy: ["127.0.0.1"] }],
    ["a CIDR block", { trustProxy: ["127.0.0.0/8", "::1"] }],
    ["one hop", { trustProxy: 1 }],
    ["true", { trustProxy: true }],
  ])("trusted as %s, X-Forwarded-For gives request.ip", async (_name, config: Partial<ServerConfig>) => {
    const own = await serviceSeeingIp(config);
    expect(await own.ipFor({ "x-forwarded-for": "203.0.113.9" })).toBe("203.0.113.9");
    expect(await own.ipFor()).toBe("127.0.0.1");
    await own.stop();
  });

  test("one trusted hop takes the last address, not one the client wrote", async () => {
    const own = await serviceSeeingIp({ trustProxy: 1 });
    expect(await own.ipFor({ "x-forwarded-for": "198.51.100.1, 203.0.113.9" })).toBe("203.0.113.9");
    await own.stop();
  });

  test.each([
    ["not configured (the default)", {}],
    ["another proxy's address", { trustProxy: ["10.0.0.1"] }],
  ])("with trustProxy %s, X-Forwarded-For is ignored", async (_name, config: Partial<ServerConfig>) => {
    const own = await serviceSeeingIp(config);
    expect(await own.ipFor({ "x-forwarded-for": "203.0.113.9" })).toBe("127.0.0.1");
    await own.stop();
  });
});
