import { ErrorResponse, HealthResponse, ReadyResponse } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
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
