import { ErrorResponse, SessionResponse, TicketResponse } from "@repo/protocol";
import { afterEach, describe, expect, test, vi } from "vitest";
import { configFromEnv } from "../src/config";
import { readEnv } from "../src/env";
import { addressKey } from "../src/limits/address-key";
import { parseRateSpec } from "../src/limits/rate-spec";
import { startServer, type RunningServer } from "./support/start-server";

// F5: per-address (and global) limits on guest sign-in and SSE tickets, through real HTTP.
// Each test starts its own server (its own limits): generous timeouts for a busy machine.
vi.setConfig({ testTimeout: 90_000 });

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function signInFrom(baseUrl: string, name: string, forwardedFor?: string) {
  return fetch(`${baseUrl}/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) },
    body: JSON.stringify({ name }),
  });
}

/** A refused answer: 429, a whole-seconds Retry-After equal to the typed body's retryAfter. */
async function expectRateLimited(response: Response, maxSeconds: number) {
  expect(response.status).toBe(429);
  const body = ErrorResponse.parse(await response.json());
  expect(body.error.code).toBe("rate_limited");
  const header = response.headers.get("retry-after");
  expect(header).toMatch(/^\d+$/);
  expect(Number(header)).toBe(body.error.retryAfter);
  expect(body.error.retryAfter).toBeGreaterThanOrEqual(1);
  expect(body.error.retryAfter).toBeLessThanOrEqual(maxSeconds);
  return body.error;
}

describe("POST /v1/session per address", () => {
  test("a burst of 120 sign-ins from one address: only the configured 10 get a session; the rest 429 and write nothing", async () => {
    running = await startServer({ config: { addressLimits: { session: [{ points: 10, windowSeconds: 60 }] } } });
    const { baseUrl, db } = running;
    const usersBefore = await db.prisma.user.count();
    const responses = await Promise.all(Array.from({ length: 120 }, (_, i) => signInFrom(baseUrl, `Guest ${i}`)));

    const created = responses.filter((r) => r.status === 201);
    expect(created).toHaveLength(10);
    const ids = await Promise.all(created.map(async (r) => SessionResponse.parse(await r.json()).user.id));
    const refused = responses.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(110);
    for (const response of refused) await expectRateLimited(response, 60);

    // Only the successful guests exist, each with one session.
    expect(await db.prisma.user.count()).toBe(usersBefore + 10);
    const stored = await db.prisma.user.findMany({ where: { id: { in: ids } }, select: { id: true } });
    expect(stored).toHaveLength(10);
    expect(await db.prisma.session.count({ where: { userId: { in: ids } } })).toBe(10);
  });

  test("several windows apply together: the longer one refuses once the shorter one would allow again", async () => {
    running = await startServer({
      config: { addressLimits: { session: [{ points: 3, windowSeconds: 1 }, { points: 4, windowSeconds: 3600 }] } },
    });
    const first = await Promise.all([1, 2, 3, 4].map((i) => signInFrom(running!.baseUrl, `Early ${i}`)));
    expect(first.map((r) => r.status).sort()).toEqual([201, 201, 201, 429]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // The per-second window has room again; the hourly one allows a 4th, then refuses.
    expect((await signInFrom(running.baseUrl, "Late 1")).status).toBe(201);
    const error = await expectRateLimited(await signInFrom(running.baseUrl, "Late 2"), 3600);
    expect(error.retryAfter).toBeGreaterThan(60);
  });

  test("a malformed sign-in is refused as validation and costs no budget", async () => {
    running = await startServer({ config: { addressLimits: { session: [{ points: 2, windowSeconds: 60 }] } } });
    for (let i = 0; i < 5; i++) expect((await signInFrom(running.baseUrl, "")).status).toBe(400);
    expect((await signInFrom(running.baseUrl, "Ada")).status).toBe(201);
    expect((await signInFrom(running.baseUrl, "Bob")).status).toBe(201);
    expect((await signInFrom(running.baseUrl, "Cy")).status).toBe(429);
  });

  test("addresses have their own budgets (behind a trusted proxy), IPv6 by /64, and all share the global one", async () => {
    running = await startServer({
      config: {
        trustProxy: true,
        addressLimits: { session: [{ points: 2, windowSeconds: 60 }], "session:global": [{ points: 7, windowSeconds: 60 }] },
      },
    });
    const { baseUrl, db } = running;
    const before = await db.prisma.user.count();
    const statuses = async (address: string, count: number) => {
      const answers: number[] = [];
      for (let i = 0; i < count; i++) answers.push((await signInFrom(baseUrl, `Guest ${i}`, address)).status);
      return answers;
    };
    expect(await statuses("203.0.113.1", 3)).toEqual([201, 201, 429]);
    expect(await statuses("203.0.113.2", 3)).toEqual([201, 201, 429]);
    // One /64: a rotated interface id is the same client.
    expect(await statuses("2001:db8:1:2::1", 1)).toEqual([201]);
    expect(await statuses("2001:db8:1:2:ffff:eeee:dddd:cccc", 2)).toEqual([201, 429]);
    // An IPv4 client seen through a dual-stack socket is that IPv4 address.
    expect(await statuses("::ffff:203.0.113.1", 1)).toEqual([429]);
    // Everyone together: 6 so far, the global budget is 7.
    expect(await statuses("198.51.100.7", 1)).toEqual([201]);
    const lastBody = await signInFrom(baseUrl, "One too many", "198.51.100.8");
    const error = await expectRateLimited(lastBody, 60);
    expect(error.message).toMatch(/right now/);
    expect(await db.prisma.user.count()).toBe(before + 7);
  });
});

describe("POST /v1/sse/ticket per address", () => {
  test("a ticket flood is refused past the limit, before authentication", async () => {
    running = await startServer({ config: { addressLimits: { ticket: [{ points: 5, windowSeconds: 60 }] } } });
    const { baseUrl } = running;
    const session = SessionResponse.parse(await (await signInFrom(baseUrl, "Ada")).json());
    const ticket = () => fetch(`${baseUrl}/v1/sse/ticket`, { method: "POST", headers: { authorization: `Bearer ${session.token}` } });
    const answers = await Promise.all(Array.from({ length: 30 }, ticket));
    const issued = answers.filter((r) => r.status === 201);
    expect(issued).toHaveLength(5);
    for (const response of issued) TicketResponse.parse(await response.json());
    for (const response of answers.filter((r) => r.status !== 201)) await expectRateLimited(response, 60);
    // Unauthenticated requests from the same address are refused by the limit too (no auth work).
    const anonymous = await fetch(`${baseUrl}/v1/sse/ticket`, { method: "POST" });
    await expectRateLimited(anonymous, 60);
  });
});

describe("configuration", () => {
  test("rate specs from the environment become the server's windows", () => {
    const config = configFromEnv(
      readEnv({ NODE_ENV: "test", RATE_LIMIT_SESSION: "5/1m, 50/1d", RATE_LIMIT_POLL: "40/s", RATE_LIMIT_ROOM_GLOBAL: "off", TRUST_PROXY: "2" }),
    );
    expect(config.addressLimits.session).toEqual([
      { points: 5, windowSeconds: 60 },
      { points: 50, windowSeconds: 86_400 },
    ]);
    expect(config.addressLimits.poll).toEqual([{ points: 40, windowSeconds: 1 }]);
    expect(config.addressLimits["room:global"]).toEqual([]);
    expect(config.addressLimits.ticket).toEqual([{ points: 60, windowSeconds: 60 }]);
    expect(config.trustProxy).toBe(2);
    expect(configFromEnv(readEnv({ NODE_ENV: "test", TRUST_PROXY: "10.0.0.0/8, 127.0.0.1" })).trustProxy).toEqual(["10.0.0.0/8", "127.0.0.1"]);
    expect(() => readEnv({ NODE_ENV: "test", RATE_LIMIT_TICKET: "sixty a minute" })).toThrow(/RATE_LIMIT_TICKET/);
    expect(() => parseRateSpec("0/1m")).toThrow();
    expect(parseRateSpec("3/10s")).toEqual([{ points: 3, windowSeconds: 10 }]);
  });

  test("address keys: IPv4 as is, mapped IPv4 unwrapped, IPv6 by /64", () => {
    expect(addressKey("192.0.2.1")).toBe("192.0.2.1");
    expect(addressKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(addressKey("::ffff:c000:201")).toBe("192.0.2.1");
    expect(addressKey("2001:db8::1")).toBe(addressKey("2001:0db8:0000:0000:ffff::2"));
    expect(addressKey("2001:db8:0:1::1")).not.toBe(addressKey("2001:db8:0:2::1"));
    expect(addressKey("fe80::1%eth0")).toBe(addressKey("fe80::2"));
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
  });
});
