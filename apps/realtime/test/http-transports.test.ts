import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ErrorResponse, PollResponse, decodeCursor, type EventEnvelope } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { eventually, metricValue } from "./support/metrics";
import { openRawSse } from "./support/raw-sse";
import { signIn, startServer, type RunningServer } from "./support/start-server";
import { openTopics } from "./support/test-features";

const TOPIC = "system:bench";

let running: RunningServer;
let token: string;
let auth: Record<string, string>;

beforeAll(async () => {
  running = await startServer({
    config: { sseHeartbeatMs: 100, maxBufferedBytes: 64 * 1024, longPollTimeoutMs: 2000, longPollLingerMs: 250 },
    // A readable test topic and no ticker noise.
    features: [openTopics("system")],
  });
  ({ token } = await signIn(running.baseUrl));
  auth = { authorization: `Bearer ${token}` };
});
afterAll(async () => {
  await running.stop();
});

const publish = (payload: unknown, topic = TOPIC) => running.server.hub.publish(topic, "test", payload);

async function headCursor(topic = TOPIC) {
  const head = await running.server.hub.head(topic);
  return `${topic}@${head.epoch}.${head.offset}`;
}

/** Sends a raw request and returns the whole response as it went over the wire. */
function rawExchange(path: string, headers: Record<string, string>): Promise<string> {
  const { port } = new URL(running.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => {
      const lines = [`GET ${path} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close", ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    });
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
}

describe("short polling", () => {
  test("answers at once with the events after the cursor and the next cursor", async () => {
    const cursor = await headCursor();
    await publish({ n: 1 });
    await publish({ n: 2 });
    const response = await fetch(`${running.baseUrl}/v1/poll?cursor=${cursor}`, { headers: auth });
    const body = PollResponse.parse(await response.json());
    expect(body.events.map((e) => e.payload)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(decodeCursor(body.cursor)?.[TOPIC]?.offset).toBe(body.events[1]!.offset);
  });

  test("an unchanged empty poll is a bare 304 of a few hundred bytes", async () => {
    const cursor = await headCursor();
    const first = await fetch(`${running.baseUrl}/v1/poll?cursor=${cursor}`, { headers: auth });
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^".+"$/);
    const raw = await rawExchange(`/v1/poll?cursor=${cursor}`, { ...auth, "If-None-Match": etag });
    expect(raw.startsWith("HTTP/1.1 304")).toBe(true);
    expect(Buffer.byteLength(raw)).toBeLessThan(300);
    // And once something happens, the same request gets the event.
    await publish({ n: 3 });
    const after = await fetch(`${running.baseUrl}/v1/poll?cursor=${cursor}`, { headers: { ...auth, "if-none-match": etag } });
    expect(after.status).toBe(200);
  });

  test.each([
    ["no cursor", "", 400, "validation"],
    ["a malformed cursor", "cursor=nope", 400, "validation"],
    ["17 topics", `cursor=${Array.from({ length: 17 }, (_, i) => `system:t${i}@`).join(",")}`, 400, "validation"],
    ["another user's topic", "cursor=echo:someone-else@", 403, "forbidden"],
  ])("refuses %s with a typed error", async (_label, query, status, code) => {
    const response = await fetch(`${running.baseUrl}/v1/poll?${query}`, { headers: auth });
    expect(response.status).toBe(status);
    expect(ErrorResponse.parse(await response.json()).error.code).toBe(code);
  });

  test("refuses a poll without a session, and a session token passed in the URL", async () => {
    const bare = await fetch(`${running.baseUrl}/v1/poll?cursor=${TOPIC}@`);
    expect(bare.status).toBe(401);
    const inUrl = await fetch(`${running.baseUrl}/v1/poll?cursor=${TOPIC}@&ticket=${token}`);
    expect(inUrl.status).toBe(401);
  });
});

describe("long polling", () => {
  test("holds the request until an event arrives, then answers with it", async () => {
    const cursor = await headCursor();
    const started = Date.now();
    const pending = fetch(`${running.baseUrl}/v1/long-poll?cursor=${cursor}`, { headers: auth });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await publish({ held: true });
    const body = PollResponse.parse(await (await pending).json());
    expect(body.events.map((e) => e.payload)).toEqual([{ held: true }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  test("a 'from now' cursor is answered with the first event after it", async () => {
    const pending = fetch(`${running.baseUrl}/v1/long-poll?cursor=${TOPIC}@`, { headers: auth });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await publish({ fresh: 1 });
    const body = PollResponse.parse(await (await pending).json());
    expect(body.events.map((e) => e.payload)).toEqual([{ fresh: 1 }]);
  });

  // The linger (LONG_POLL_LINGER_MS, 250 ms here): a busy stream's answer waits for the events right behind.
  test("on a busy stream the answer waits for the events right behind the waking one, up to four", async () => {
    await publish({ busy: 0 });
    const cursor = await headCursor();
    const pending = fetch(`${running.baseUrl}/v1/long-poll?cursor=${cursor}`, { headers: auth });
    await sleep(50);
    for (let n = 1; n <= 6; n++) {
      await publish({ busy: n }); // ~50 ms after the previous event, then 30 ms apart: busy, so the answer lingers
      await sleep(30);
    }
    const body = PollResponse.parse(await (await pending).json());
    expect(body.events.map((e) => e.payload)).toEqual([{ busy: 1 }, { busy: 2 }, { busy: 3 }, { busy: 4 }]);
  });

  test("a busy stream's answer goes out when its linger ends, whatever it carries", async () => {
    await publish({ pause: 0 });
    const cursor = await headCursor();
    const pending = fetch(`${running.baseUrl}/v1/long-poll?cursor=${cursor}`, { headers: auth });
    await sleep(50);
    await publish({ pause: 1 }); // busy (~50 ms after the previous event): lingers at most four gaps (~200 ms)
    await sleep(30);
    await publish({ pause: 2 });
    await sleep(400); // then the stream pauses past the linger
    await publish({ pause: 3 });
    const body = PollResponse.parse(await (await pending).json());
    expect(body.events.map((e) => e.payload)).toEqual([{ pause: 1 }, { pause: 2 }]);
  });

  test("when events are further apart than the linger, the waking event goes out alone, at once", async () => {
    await publish({ slow: 0 });
    const cursor = await headCursor();
    await sleep(350); // the next event follows this one by more than the linger: waiting could not catch another
    const pending = fetch(`${running.baseUrl}/v1/long-poll?cursor=${cursor}`, { headers: auth });
    await sleep(50);
    await publish({ slow: 1 });
    await sleep(150);
    await publish({ slow: 2 });
    const body = PollResponse.parse(await (await pending).json());
    expect(body.events.map((e) => e.payload)).toEqual([{ slow: 1 }]);
  });

  test("answers empty when the timeout passes", async () => {
    const cursor = await headCursor();
    const response = await fetch(`${running.baseUrl}/v1/long-poll?cursor=${cursor}&timeout=200`, { headers: auth });
    const body = PollResponse.parse(await response.json());
    expect(body.events).toEqual([]);
    expect(body.cursor).toBe(cursor);
  });

  test("an abandoned long poll leaves no listener, timer or open request behind", async () => {
    const listenersBefore = running.server.hub.listenerCount();
    const controllers = Array.from({ length: 5 }, () => new AbortController());
    const pending = controllers.map((c) =>
      fetch(`${running.baseUrl}/v1/long-poll?cursor=${TOPIC}@`, { headers: auth, signal: c.signal }).catch(() => null),
    );
    expect(await eventually(() => metricValue(running.baseUrl, "switchboard_open", { transport: "long-polling" }), 5)).toBe(5);
    for (const c of controllers) c.abort();
    await Promise.all(pending);
    expect(await eventually(() => metricValue(running.baseUrl, "switchboard_open", { transport: "long-polling" }), 0)).toBe(0);
    expect(await eventually(() => metricValue(running.baseUrl, "switchboard_pending_timers"), 0)).toBe(0);
    expect(running.server.hub.listenerCount()).toBe(listenersBefore);
    expect(running.server.openConnections()).toBe(0);
  });
});

describe("server-sent events", () => {
  async function ticket() {
    const response = await fetch(`${running.baseUrl}/v1/sse/ticket`, { method: "POST", headers: auth });
    expect(response.status).toBe(201);
    return ((await response.json()) as { ticket: string }).ticket;
  }

  test("streams with anti-buffering headers, retry, cursor ids, heartbeats and a ready frame", async () => {
    const cursor = await headCursor();
    await publish({ backlog: 1 });
    const stream = openRawSse(`${running.baseUrl}/v1/sse?cursor=${cursor}&ticket=${await ticket()}`);
    const response = await stream.opened;
    expect(response.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(response.headers["cache-control"]).toBe("no-cache, no-transform");
    expect(response.headers["x-accel-buffering"]).toBe("no");
    await stream.waitFor(() => stream.frames.some((f) => f.event === "ready"));
    await publish({ live: 1 });
    await stream.waitFor(() => stream.frames.filter((f) => f.event === "message").length === 2);
    const messages = stream.frames.filter((f) => f.event === "message");
    const events = messages.map((f) => JSON.parse(f.data) as EventEnvelope);
    expect(events.map((e) => e.payload)).toEqual([{ backlog: 1 }, { live: 1 }]);
    expect(messages.map((f) => f.id)).toEqual(events.map((e) => `${TOPIC}@${e.epoch}.${e.offset}`));
    expect(stream.frames.findIndex((f) => f.event === "ready")).toBe(1);
    await stream.waitFor(() => stream.comments() >= 2);
    stream.destroy();
  });

  test("resumes from Last-Event-ID exactly after the last event seen", async () => {
    const cursor = await headCursor();
    const first = await publish({ i: 1 });
    await publish({ i: 2 });
    await publish({ i: 3 });
    const stream = openRawSse(`${running.baseUrl}/v1/sse?cursor=${cursor}&ticket=${await ticket()}`, {
      "last-event-id": `${TOPIC}@${first.epoch}.${first.offset}`,
    });
    await stream.waitFor(() => stream.frames.some((f) => f.event === "ready"));
    const payloads = stream.frames.filter((f) => f.event === "message").map((f) => (JSON.parse(f.data) as EventEnvelope).payload);
    expect(payloads).toEqual([{ i: 2 }, { i: 3 }]);
    stream.destroy();
  });

  test("a ticket works once; a session token in the URL never does", async () => {
    const once = await ticket();
    const stream = openRawSse(`${running.baseUrl}/v1/sse?cursor=${TOPIC}@&ticket=${once}`);
    expect((await stream.opened).statusCode).toBe(200);
    stream.destroy();
    const again = await fetch(`${running.baseUrl}/v1/sse?cursor=${TOPIC}@&ticket=${once}`);
    expect(again.status).toBe(401);
    const tokenInUrl = await fetch(`${running.baseUrl}/v1/sse?cursor=${TOPIC}@&ticket=${token}`);
    expect(tokenInUrl.status).toBe(401);
    expect(ErrorResponse.parse(await tokenInUrl.json()).error.code).toBe("unauthorized");
  });

  test("a consumer that stops reading is cut with a reason; a healthy one gets everything", async () => {
    const cutBefore = await metricValue(running.baseUrl, "switchboard_slow_consumers_cut_total", { transport: "sse" });
    const cursor = await headCursor();
    const slow = openRawSse(`${running.baseUrl}/v1/sse?cursor=${cursor}&ticket=${await ticket()}`);
    const healthy = openRawSse(`${running.baseUrl}/v1/sse?cursor=${cursor}&ticket=${await ticket()}`);
    await slow.waitFor(() => slow.frames.some((f) => f.event === "ready"));
    await healthy.waitFor(() => healthy.frames.some((f) => f.event === "ready"));
    slow.pause();
    // Loopback socket buffers hold megabytes, so publish until the paused reader overflows them.
    const pad = "x".repeat(16 * 1024);
    const cutNow = () => metricValue(running.baseUrl, "switchboard_slow_consumers_cut_total", { transport: "sse" });
    let published = 0;
    while (published < 4000 && (published % 50 !== 0 || (await cutNow()) === cutBefore)) {
      await publish({ i: published++, pad });
      // Server and readers share this process: let the healthy reader keep reading.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await cutNow()).toBe(cutBefore + 1);
    await slow.waitFor(() => slow.ended() || slow.frames.length > 0);
    await healthy.waitFor(() => healthy.frames.filter((f) => f.event === "message").length === published, 10_000);
    const seen = healthy.frames.filter((f) => f.event === "message").map((f) => (JSON.parse(f.data) as EventEnvelope).payload);
    expect(seen.map((p) => (p as { i: number }).i)).toEqual(Array.from({ length: published }, (_, i) => i));
    healthy.destroy();
    expect(await eventually(() => metricValue(running.baseUrl, "switchboard_open", { transport: "sse" }), 0)).toBe(0);
  });

  test("an abandoned stream leaves no listener, timer or open stream behind", async () => {
    const listenersBefore = running.server.hub.listenerCount();
    const streams = await Promise.all(
      Array.from({ length: 5 }, async () => openRawSse(`${running.baseUrl}/v1/sse?cursor=${TOPIC}@&ticket=${await ticket()}`)),
    );
    await Promise.all(streams.map((s) => s.waitFor(() => s.frames.some((f) => f.event === "ready"))));
    const openBefore = await metricValue(running.baseUrl, "switchboard_open", { transport: "sse" });
    expect(openBefore).toBe(5);
    for (const stream of streams) stream.destroy();
    expect(await eventually(() => metricValue(running.baseUrl, "switchboard_open", { transport: "sse" }), 0)).toBe(0);
    expect(await eventually(() => metricValue(running.baseUrl, "switchboard_pending_timers"), 0)).toBe(0);
    expect(running.server.hub.listenerCount()).toBe(listenersBefore);
  });
});

describe("graceful shutdown", () => {
  test("open streams get a server_shutdown closing notice and readiness drops", async () => {
    const own = await startServer({ features: [openTopics("system")] });
    const { token: ownToken } = await signIn(own.baseUrl);
    const ticketResponse = await fetch(`${own.baseUrl}/v1/sse/ticket`, { method: "POST", headers: { authorization: `Bearer ${ownToken}` } });
    const { ticket } = (await ticketResponse.json()) as { ticket: string };
    const stream = openRawSse(`${own.baseUrl}/v1/sse?cursor=${TOPIC}@&ticket=${ticket}`);
    await stream.waitFor(() => stream.frames.some((f) => f.event === "ready"));
    await own.stop();
    await stream.waitFor(() => stream.frames.some((f) => f.event === "closing"));
    const closing = stream.frames.find((f) => f.event === "closing")!;
    expect(JSON.parse(closing.data)).toMatchObject({ reason: "server_shutdown" });
  });
});
