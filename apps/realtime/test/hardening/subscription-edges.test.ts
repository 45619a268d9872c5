// Every subscription edge parses with a schema (review F11), answers are bounded by bytes as
// well as events (F9), and the connection caps hold on every transport (F5).
import { ErrorResponse, PollResponse, echoTopic, encodeCursor, type TicketResponse } from "@repo/protocol";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openRawSse } from "../support/raw-sse";
import { signIn, startServer, type RunningServer } from "../support/start-server";

let running: RunningServer;
let session: Awaited<ReturnType<typeof signIn>>;
const auth = () => ({ authorization: `Bearer ${session.token}` });

beforeAll(async () => {
  running = await startServer({
    config: { pollAnswer: { events: 1000, bytes: 64 * 1024 }, connectionLimits: { perUser: 3, perIp: 5 }, longPollTimeoutMs: 30_000 },
  });
  session = await signIn(running.baseUrl);
});
afterAll(async () => {
  await running.stop();
});

async function expectValidation(response: Response) {
  expect(response.status).toBe(400);
  const body = ErrorResponse.parse(await response.json());
  expect(body.error.code).toBe("validation");
}

describe("subscription requests parse with a schema", () => {
  const cursor = () => encodeURIComponent(encodeCursor({ [echoTopic(session.user.id)]: null }));

  test.each(["/v1/poll", "/v1/long-poll", "/v1/sse"])("%s refuses repeated and oversized parameters with a typed 400", async (path) => {
    for (const query of [
      `cursor=a&cursor=b`,
      `cursor=${cursor()}&cursor=${cursor()}`,
      `cursor=${cursor()}&timeout=1&timeout=2`,
      `cursor=${cursor()}&signals=x`,
      `cursor=${cursor()}&ticket=`,
      `cursor=${"a".repeat(5000)}`,
      `cursor[a]=b`,
    ]) {
      await expectValidation(await fetch(`${running.baseUrl}${path}?${query}&timeout=0`, { headers: auth() }));
    }
  });

  test("SSE refuses an oversized Last-Event-ID with a typed 400", async () => {
    await expectValidation(await fetch(`${running.baseUrl}/v1/sse?cursor=x`, { headers: { ...auth(), "last-event-id": "a".repeat(5000) } }));
  });
});

describe("poll answers are bounded by bytes", () => {
  test.each(["/v1/poll", "/v1/long-poll"])("%s answers at most the byte budget, says `more`, and the next polls get the rest exactly once", async (path) => {
    const topic = echoTopic(session.user.id);
    const head = await running.server.hub.head(topic);
    for (let i = 0; i < 40; i++) await running.server.hub.publish(topic, "echo", { i, pad: "z".repeat(8000) });
    let cursor = encodeCursor({ [topic]: { epoch: head.epoch, offset: head.offset } });
    const seen: number[] = [];
    let polls = 0;
    for (;;) {
      const response = await fetch(`${running.baseUrl}${path}?cursor=${encodeURIComponent(cursor)}&timeout=0`, { headers: auth() });
      const text = await response.text();
      expect(Buffer.byteLength(text)).toBeLessThan(64 * 1024 + 16 * 1024);
      const body = PollResponse.parse(JSON.parse(text));
      polls++;
      seen.push(...body.events.map((event) => (event.payload as { i: number }).i));
      cursor = body.cursor;
      if (!body.more) break;
    }
    expect(polls).toBeGreaterThanOrEqual(5);
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
});

describe("connection caps (per user and per address, every transport together)", () => {
  const cursor = () => encodeURIComponent(encodeCursor({ [echoTopic(session.user.id)]: null }));
  const openLongPoll = (token: string, userId: string) =>
    fetch(`${running.baseUrl}/v1/long-poll?cursor=${encodeURIComponent(encodeCursor({ [echoTopic(userId)]: null }))}&timeout=30000`, {
      headers: { authorization: `Bearer ${token}` },
    });

  test("a user at the cap is refused `rate_limited` on SSE, WebSocket and long polling, and admitted again once one closes", async () => {
    const { ticket } = (await (await fetch(`${running.baseUrl}/v1/sse/ticket`, { method: "POST", headers: auth() })).json()) as TicketResponse;
    const stream = openRawSse(`${running.baseUrl}/v1/sse?cursor=${cursor()}&ticket=${ticket}`);
    await stream.waitFor(() => stream.frames.some((frame) => frame.event === "ready"));
    const socket = io(running.baseUrl, { path: "/v1/ws", transports: ["websocket"], reconnection: false, auth: { token: session.token } });
    await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
    const held = new AbortController();
    void fetch(`${running.baseUrl}/v1/long-poll?cursor=${cursor()}&timeout=30000`, { headers: auth(), signal: held.signal }).catch(() => {});
    await expect.poll(() => running.server.openConnections()).toBe(3);

    const refusedPoll = await openLongPoll(session.token, session.user.id);
    expect(refusedPoll.status).toBe(429);
    expect(refusedPoll.headers.get("retry-after")).not.toBeNull();
    expect(ErrorResponse.parse(await refusedPoll.json()).error.code).toBe("rate_limited");
    const { ticket: second } = (await (await fetch(`${running.baseUrl}/v1/sse/ticket`, { method: "POST", headers: auth() })).json()) as TicketResponse;
    const refusedSse = await fetch(`${running.baseUrl}/v1/sse?cursor=${cursor()}&ticket=${second}`);
    expect(refusedSse.status).toBe(429);
    const refusedSocket = io(running.baseUrl, { path: "/v1/ws", transports: ["websocket"], reconnection: false, auth: { token: session.token } });
    const refusal = await new Promise<{ data?: { code?: string } }>((resolve) => refusedSocket.on("connect_error", resolve));
    expect(refusal.data?.code).toBe("rate_limited");
    refusedSocket.close();

    held.abort();
    await expect.poll(() => running.server.openConnections()).toBe(2);
    const again = io(running.baseUrl, { path: "/v1/ws", transports: ["websocket"], reconnection: false, auth: { token: session.token } });
    await new Promise<void>((resolve) => again.on("connect", () => resolve()));
    again.close();
    socket.close();
    stream.destroy();
    await expect.poll(() => running.server.openConnections()).toBe(0);
  });

  test("fresh guests from one address share the address's cap", async () => {
    const guests = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => signIn(running.baseUrl, `Guest ${n}`)));
    const controllers = guests.slice(0, 5).map(() => new AbortController());
    guests.slice(0, 5).forEach((guest, i) => {
      void fetch(`${running.baseUrl}/v1/long-poll?cursor=${encodeURIComponent(encodeCursor({ [echoTopic(guest.user.id)]: null }))}&timeout=30000`, {
        headers: { authorization: `Bearer ${guest.token}` },
        signal: controllers[i]!.signal,
      }).catch(() => {});
    });
    await expect.poll(() => running.server.openConnections()).toBe(5);
    const sixth = guests[5]!;
    const refused = await openLongPoll(sixth.token, sixth.user.id);
    expect(refused.status).toBe(429);
    expect(ErrorResponse.parse(await refused.json()).error.message).toMatch(/per address/);
    for (const controller of controllers) controller.abort();
    await expect.poll(() => running.server.openConnections()).toBe(0);
  });
});

describe("the WebSocket sees the client's address behind a trusted proxy", () => {
  test("per-address caps on sockets follow X-Forwarded-For from a trusted proxy", async () => {
    const proxied = await startServer({ config: { trustProxy: ["127.0.0.1"], connectionLimits: { perUser: 10, perIp: 1 } } });
    try {
      const users = await Promise.all([1, 2, 3].map((n) => signIn(proxied.baseUrl, `Guest ${n}`)));
      const connect = (token: string, forwardedFor: string) =>
        new Promise<{ ok: boolean; code?: string; close: () => void }>((resolve) => {
          const socket = io(proxied.baseUrl, {
            path: "/v1/ws",
            transports: ["websocket"],
            reconnection: false,
            auth: { token },
            extraHeaders: { "x-forwarded-for": forwardedFor },
          });
          socket.on("connect", () => resolve({ ok: true, close: () => socket.close() }));
          socket.on("connect_error", (error: Error & { data?: { code?: string } }) =>
            resolve({ ok: false, code: error.data?.code, close: () => socket.close() }),
          );
        });
      const first = await connect(users[0]!.token, "203.0.113.1");
      const second = await connect(users[1]!.token, "203.0.113.2");
      const third = await connect(users[2]!.token, "203.0.113.1");
      expect([first.ok, second.ok, third.ok, third.code]).toEqual([true, true, false, "rate_limited"]);
      for (const socket of [first, second, third]) socket.close();
    } finally {
      await proxied.stop();
    }
  });
});
