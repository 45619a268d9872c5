// Review findings F1 (one frame ends the process), F2 (subscribe backlog amplification) and
// F16 (topic cap bypass, overlapping subscribes), through raw socket.io frames.
import { ErrorBody, type EventEnvelope, type SubscribeAck } from "@repo/protocol";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { echoFeature } from "../../src/features/echo/echo-feature";
import { metricValue } from "../support/metrics";
import { ACK_WAIT_MS, RawSocket } from "../support/raw-socket";
import { signIn, startServer, type RunningServer } from "../support/start-server";
import { openTopics } from "../support/test-features";

const BIG = "system:big";
let running: RunningServer;
let token: string;
let userId: string;

beforeAll(async () => {
  running = await startServer({
    config: { subscribeBacklog: { events: 500, bytes: 256 * 1024 }, maxBufferedBytes: 512 * 1024 },
    features: [echoFeature(), openTopics("system")],
  });
  ({ token, user: { id: userId } } = await signIn(running.baseUrl));
  // A backlog far larger than one subscribe may send: 3,000 events of ~1 KB.
  for (let i = 1; i <= 3000; i++) await running.server.hub.publish(BIG, "fill", { i, pad: "x".repeat(1000) });
  for (const topic of ["system:big2", "system:big3"]) {
    for (let i = 1; i <= 1000; i++) await running.server.hub.publish(topic, "fill", { i, pad: "x".repeat(1000) });
  }
});
afterAll(async () => {
  await running.stop();
});

/** The service still works end to end: a command over HTTP comes back as an event on a socket. */
async function expectServiceUp() {
  expect((await fetch(`${running.baseUrl}/healthz`)).status).toBe(200);
  const socket = await RawSocket.connect(running.baseUrl, token);
  const [ack] = (await socket.emit("subscribe", { cursor: `echo:${userId}@` })) as [SubscribeAck];
  expect(ack.ok).toBe(true);
  const [result] = (await socket.emit("command", { id: crypto.randomUUID(), type: "echo", payload: { text: "still here" } })) as [
    { ok: boolean },
  ];
  expect(result.ok).toBe(true);
  expect(await socket.waitForEvent("event")).not.toBeNull();
  socket.close();
}

const expectTypedError = (answer: unknown, code: string) => {
  const error = ErrorBody.parse((answer as { error: unknown }).error);
  expect((answer as { ok: boolean }).ok).toBe(false);
  expect(error.code).toBe(code);
};

describe("hostile socket.io frames (F1)", () => {
  test("a command nested 6,000 levels deep is refused with a typed error, and the service stays up", async () => {
    const socket = await RawSocket.connect(running.baseUrl, token);
    const deep = "[".repeat(6000) + "]".repeat(6000);
    socket.send(`421["command",${deep}]`);
    socket.send(`422["subscribe",${deep}]`);
    socket.send(`42["command",${deep}]`); // no ack: dropped
    const answers = await Promise.all([
      socket.emit("command", JSON.parse("[".repeat(40) + "]".repeat(40))),
      socket.emit("unsubscribe", { topics: [[[[["x"]]]]] }),
    ]);
    for (const [answer] of answers as unknown[][]) expectTypedError(answer, "validation");
    socket.close();
    await expectServiceUp();
  });

  test("unknown events, missing acks, extra arguments and binary attachments get typed errors; a persistent offender is cut", async () => {
    const socket = await RawSocket.connect(running.baseUrl, token);
    expectTypedError((await socket.emit("no-such-event", {}))[0], "validation");
    expectTypedError((await socket.emit("command", {}, {}))[0], "validation");
    // A binary attachment: the placeholder frame, then the binary frame.
    socket.send(`451-9["command",{"_placeholder":true,"num":0}]`);
    socket.send(Buffer.from([1, 2, 3]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let i = 0; i < 10; i++) socket.send(`42${JSON.stringify(["bogus", i])}`); // no ack asked
    await socket.waitClosed(ACK_WAIT_MS);
    expect(socket.events.find((event) => event.name === "closing")?.args[0]).toMatchObject({ reason: "protocol_error" });
    await expectServiceUp();
  });
});

describe("bounded subscribes (F2, F16)", () => {
  test("a subscribe from far behind sends at most the budget and answers `more`; asking again continues exactly", async () => {
    const socket = await RawSocket.connect(running.baseUrl, token);
    const head = await running.server.hub.head(BIG);
    let cursor = `${BIG}@${head.epoch}.0`;
    const offsets: number[] = [];
    let rounds = 0;
    for (;;) {
      const before = socket.events.length;
      const [ack] = (await socket.emit("subscribe", { cursor })) as [SubscribeAck];
      if (!ack.ok) throw new Error(ack.error.message);
      rounds++;
      const sent = socket.events.slice(before).filter((event) => event.name === "event");
      expect(sent.length).toBeLessThanOrEqual(500);
      offsets.push(...sent.map((event) => (event.args[0] as EventEnvelope).offset));
      cursor = ack.cursor;
      if (!ack.more) break;
      expect(ack.more).toEqual([BIG]);
    }
    expect(rounds).toBeGreaterThanOrEqual(6);
    expect(offsets).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    socket.close();
  });

  test("overlapping subscribes of a topic still catching up are refused with `conflict`", async () => {
    const socket = await RawSocket.connect(running.baseUrl, token);
    const head = await running.server.hub.head(BIG);
    const cursor = `${BIG}@${head.epoch}.0`;
    const answers = await Promise.all([1, 2, 3].map(() => socket.emit("subscribe", { cursor })));
    const acks = answers.map((answer) => answer[0] as SubscribeAck);
    expect(acks.filter((ack) => ack.ok)).toHaveLength(1);
    for (const ack of acks.filter((ack) => !ack.ok)) expectTypedError(ack, "conflict");
    socket.close();
  });

  test("a burst of subscribes cannot pass the 16-topic cap together", async () => {
    const socket = await RawSocket.connect(running.baseUrl, token);
    const answers = await Promise.all(
      [0, 1, 2, 3, 4].map((batch) =>
        socket.emit("subscribe", { cursor: [0, 1, 2, 3].map((i) => `system:t${batch}x${i}@`).join(",") }),
      ),
    );
    const accepted = answers.map((answer) => answer[0] as SubscribeAck).filter((ack) => ack.ok);
    expect(accepted.length * 4).toBeLessThanOrEqual(16);
    expect(accepted).toHaveLength(4);
    socket.close();
  });

  test("a flood of subscribes from far behind by a client that stops reading costs the server a bounded backlog; a healthy client misses nothing", async () => {
    const healthy = io(running.baseUrl, { path: "/v1/ws", transports: ["websocket"], reconnection: false, auth: { token } });
    const received: number[] = [];
    healthy.on("event", (event: EventEnvelope) => {
      if (event.topic === "system:live") received.push(event.offset);
    });
    await new Promise<void>((resolve) => healthy.on("connect", () => resolve()));
    const liveAck = (await healthy.emitWithAck("subscribe", { cursor: "system:live@" })) as SubscribeAck;
    expect(liveAck.ok).toBe(true);

    const attacker = await RawSocket.connect(running.baseUrl, token);
    const heads = await Promise.all([BIG, "system:big2", "system:big3"].map((topic) => running.server.hub.head(topic)));
    const deliveredBefore = await metricValue(running.baseUrl, "switchboard_events_delivered_total", { transport: "websocket" });
    attacker.ws.pause(); // stop reading: whatever the server sends piles up
    const acks: Array<Promise<unknown[]>> = [];
    for (let i = 0; i < 200; i++) {
      const [topic, head] = [[BIG, heads[0]!], ["system:big2", heads[1]!], ["system:big3", heads[2]!]][i % 3] as [string, { epoch: string }];
      acks.push(attacker.emit("subscribe", { cursor: `${topic}@${head.epoch}.0` }));
    }
    for (let n = 1; n <= 100; n++) {
      await running.server.hub.publish("system:live", "tick", { n });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(100);
    expect(received).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // One catch-up per topic at a time, each within the subscribe budget (500 events); the rest refused.
    const delivered = (await metricValue(running.baseUrl, "switchboard_events_delivered_total", { transport: "websocket" })) - deliveredBefore;
    expect(delivered - 100).toBeLessThanOrEqual(3 * 500);
    attacker.ws.resume();
    const answers = (await Promise.all(acks)).map(([answer]) => answer as SubscribeAck);
    expect(answers.filter((answer) => answer.ok)).toHaveLength(3);
    const refusals = answers.flatMap((answer) => (answer.ok ? [] : [answer.error.code]));
    expect(new Set(refusals)).toEqual(new Set(["conflict", "rate_limited"]));
    attacker.close();
    healthy.close();
  });

  test("a backlog larger than the consumer reads is cut inside the catch-up loop, with a reason", async () => {
    const slow = await startServer({
      config: {
        subscribeBacklog: { events: 100_000, bytes: 256 * 1024 * 1024 },
        maxBufferedBytes: 256 * 1024,
        // A backlog larger than the kernel's socket buffers can absorb (tens of MB on loopback).
        retention: { count: 100_000, ageMs: 3_600_000, bytesPerTopic: 256 * 1024 * 1024, bytesTotal: 512 * 1024 * 1024 },
      },
      features: [openTopics("system")],
    });
    try {
      const { token: slowToken } = await signIn(slow.baseUrl);
      for (let i = 1; i <= 4000; i++) await slow.server.hub.publish("system:huge", "fill", { i, pad: "y".repeat(8000) });
      const head = await slow.server.hub.head("system:huge");
      const socket = await RawSocket.connect(slow.baseUrl, slowToken);
      socket.ws.pause();
      socket.emit("subscribe", { cursor: `system:huge@${head.epoch}.0` }).catch(() => {});
      await expect
        .poll(() => metricValue(slow.baseUrl, "switchboard_slow_consumers_cut_total", { transport: "websocket" }), { timeout: 10_000 })
        .toBe(1);
      socket.ws.resume();
      await socket.waitClosed(ACK_WAIT_MS);
      expect(socket.events.find((event) => event.name === "closing")?.args[0]).toMatchObject({ reason: "slow_consumer" });
    } finally {
      await slow.stop();
    }
  });
});
