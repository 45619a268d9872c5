import type { RealtimeClient } from "@repo/client";
import {
  LAB_EVENTS,
  ProtocolError,
  labPaths,
  LabStreamsResponse,
  type LabMessage,
  type LabStopped,
  type SessionResponse,
  type Topic,
} from "@repo/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { defaultFeatures } from "../../src/features";
import { labFeature } from "../../src/features/lab/lab-feature";
import { signIn, sleep, startTestServer, testClient, transports, waitFor, type TestServer } from "../sdk/support/server";

/*
 * The transport lab's streams over all four transports, against the real
 * service: the rate is honoured, a live reconfigure takes effect, every bad
 * input and every limit is a typed error, a stream ends when its readers
 * leave (presence) or at its lifetime, and nothing is held afterwards.
 */
const LIFETIME_MS = 4_000;
let running: TestServer;
let baselineListeners: number;
const clients: RealtimeClient[] = [];

beforeAll(async () => {
  running = await startTestServer(
    // Readers count as gone 300 ms after their last poll or closed stream.
    { presenceTtlMs: 300 },
    {
      features: [
        ...defaultFeatures().filter((feature) => feature.name !== "lab"),
        labFeature({
          awayGraceMs: 200,
          startGraceMs: 1_500,
          maxLifetimeMs: LIFETIME_MS,
          streamsTotal: 6,
          startLimit: { points: 1_000, windowSeconds: 1 },
          configureLimit: { points: 1_000, windowSeconds: 1 },
        }),
      ],
    },
  );
  baselineListeners = running.server.hub.listenerCount();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await running?.stop();
});

function clientFor(session: SessionResponse, row: (typeof transports)[number]): RealtimeClient {
  const client = testClient(running.baseUrl, session.token, row.name, row.options);
  clients.push(client);
  return client;
}

/** Subscribes from the stream's start; collects messages and the final `lab.stopped`. */
function follow(client: RealtimeClient, topic: Topic, position: { epoch: string; offset: number }) {
  const messages: Array<LabMessage & { at: number }> = [];
  const seen = { stopped: null as LabStopped | null, errors: [] as Error[] };
  client.subscribe(
    topic,
    (event) => {
      if (event.type === LAB_EVENTS.message) messages.push({ ...(event.payload as LabMessage), at: Date.now() });
      if (event.type === LAB_EVENTS.stopped) seen.stopped = event.payload as LabStopped;
    },
    { cursor: position, onError: (error) => seen.errors.push(error) },
  );
  return { messages, seen };
}

async function myStreams(session: SessionResponse) {
  const response = await fetch(`${running.baseUrl}${labPaths.streams}`, { headers: { authorization: `Bearer ${session.token}` } });
  return LabStreamsResponse.parse(await response.json());
}

/**
 * Within tolerance of the rate: a message due while the event loop is stalled goes out (and is
 * stamped) late, so on a busy 2-core machine a few slip across the window's edge.
 */
function expectRate(count: number, rate: number) {
  expect(Math.abs(count - rate), `${count} messages in a second at ${rate} msg/s`).toBeLessThanOrEqual(Math.ceil(rate * 0.1) + 1);
}

/** Messages the server sent in [from, from + 1 s). */
function sentInSecond(messages: LabMessage[], from: number): number {
  return messages.filter((message) => message.sentAt >= from && message.sentAt < from + 1000).length;
}

async function refusal(promise: Promise<unknown>): Promise<ProtocolError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProtocolError);
  return error as ProtocolError;
}

describe.each(transports)("lab streams over $name", (row) => {
  test("the rate is honoured, a live reconfigure takes effect, stop ends it with every message once", async () => {
    const session = await signIn(running.baseUrl);
    const client = clientFor(session, row);
    const started = await client.send({ type: "lab.start", payload: { rate: 40, payloadBytes: 64, burstiness: 0 } });
    const { messages, seen } = follow(client, started.topic, started.position);
    await waitFor(() => messages.length >= 50, "the first 50 messages");
    // Any full second of the schedule holds the rate.
    expectRate(sentInSecond(messages, started.startedAt + 100), 40);
    expect(messages[0]!.data).toHaveLength(64);

    const reconfigured = await client.send({ type: "lab.configure", payload: { streamId: started.streamId, rate: 100, payloadBytes: 16 } });
    expect(reconfigured.settings).toEqual({ rate: 100, payloadBytes: 16, burstiness: 0 });
    const since = Date.now() + 50;
    await waitFor(() => messages.some((message) => message.sentAt >= since + 1000), "a second at the new rate");
    expectRate(sentInSecond(messages, since), 100);
    expect(messages.at(-1)!.data).toHaveLength(16);

    const stopped = await client.send({ type: "lab.stop", payload: { streamId: started.streamId } });
    await waitFor(() => seen.stopped !== null, "lab.stopped");
    expect(seen.stopped).toEqual({ streamId: started.streamId, reason: "stopped", sent: stopped.sent });
    // Gap-free and duplicate-free, 1..sent.
    expect(messages.map((message) => message.seq)).toEqual(Array.from({ length: stopped.sent }, (_, i) => i + 1));
    const latencies = messages.map((message) => message.at - message.sentAt);
    expect(Math.max(...latencies)).toBeLessThan(2_000);
    expect(seen.errors).toEqual([]);
    expect((await myStreams(session)).streams).toEqual([]);
  });

  test("bad inputs and limits are typed errors", async () => {
    const session = await signIn(running.baseUrl);
    const client = clientFor(session, row);
    const start = (payload: { rate: number; payloadBytes: number; burstiness: number }) => client.send({ type: "lab.start", payload });
    for (const payload of [
      { rate: 0, payloadBytes: 64, burstiness: 0 },
      { rate: 201, payloadBytes: 64, burstiness: 0 },
      { rate: 1.5, payloadBytes: 64, burstiness: 0 },
      { rate: 10, payloadBytes: 15, burstiness: 0 },
      { rate: 10, payloadBytes: 16 * 1024 + 1, burstiness: 0 },
      { rate: 10, payloadBytes: 64, burstiness: 1.01 },
      { rate: 10, payloadBytes: 64, burstiness: -0.1 },
    ]) {
      expect((await refusal(start(payload))).code, JSON.stringify(payload)).toBe("validation");
    }
    // 200 msg/s × 16 KiB is past the byte budget.
    const budget = await refusal(start({ rate: 200, payloadBytes: 16 * 1024, burstiness: 0 }));
    expect(budget.code).toBe("validation");
    expect(budget.issues?.[0]?.path).toEqual(["payload", "payloadBytes"]);

    const first = await start({ rate: 1, payloadBytes: 16, burstiness: 0 });
    await start({ rate: 1, payloadBytes: 16, burstiness: 0 });
    expect((await refusal(start({ rate: 1, payloadBytes: 16, burstiness: 0 }))).code).toBe("conflict");
    expect((await refusal(client.send({ type: "lab.configure", payload: { streamId: first.streamId, rate: 200, payloadBytes: 8192 } }))).code).toBe(
      "validation",
    );

    // Someone else's stream: unknown to commands, refused to readers.
    const other = await signIn(running.baseUrl, "Eve");
    const eve = clientFor(other, row);
    expect((await refusal(eve.send({ type: "lab.stop", payload: { streamId: first.streamId } }))).code).toBe("not_found");
    expect((await refusal(eve.send({ type: "lab.configure", payload: { streamId: `${session.user.id}_AAAAAAAAAAAA`, rate: 5 } }))).code).toBe("not_found");
    const { seen } = follow(eve, first.topic, first.position);
    await waitFor(() => seen.errors.length > 0, "Eve's read to be refused");
    expect((seen.errors[0] as ProtocolError).code).toBe("forbidden");

    for (const stream of (await myStreams(session)).streams) await client.send({ type: "lab.stop", payload: { streamId: stream.streamId } });
    expect((await myStreams(session)).streams).toEqual([]);
  });

  test("the stream ends when its reader leaves, and nothing is held afterwards", async () => {
    const session = await signIn(running.baseUrl);
    const client = clientFor(session, row);
    const started = await client.send({ type: "lab.start", payload: { rate: 20, payloadBytes: 32, burstiness: 0.5 } });
    const { messages } = follow(client, started.topic, started.position);
    await waitFor(() => messages.length >= 10, "messages to flow");
    // Reading keeps it going past the start grace.
    await sleep(200);
    expect((await myStreams(session)).streams).toHaveLength(1);
    client.close();
    await waitFor(async () => (await myStreams(session)).streams.length === 0, "the stream to end once its reader left", 3_000);
    await waitFor(async () => (await running.gauge("switchboard_lab_timers")) === 0, "the lab's timers to be released", 1_000);
    await waitFor(() => running.server.openConnections() === 0, "no connection held", 3_000);
    expect(running.server.hub.listenerCount()).toBe(baselineListeners);
  });
});

describe("lab streams on their own", () => {
  test("burstiness 1 sends a second's messages at once", async () => {
    const session = await signIn(running.baseUrl);
    const client = clientFor(session, transports[3]);
    const started = await client.send({ type: "lab.start", payload: { rate: 20, payloadBytes: 16, burstiness: 1 } });
    const { messages } = follow(client, started.topic, started.position);
    await waitFor(() => messages.length >= 40, "two bursts");
    const [first, second] = [messages.slice(0, 20), messages.slice(20, 40)];
    expect(first.at(-1)!.sentAt - first[0]!.sentAt).toBeLessThan(30);
    // The next burst one second later (slack for a busy machine's timers).
    expect(Math.abs(second[0]!.sentAt - first[0]!.sentAt - 1000)).toBeLessThan(150);
    await client.send({ type: "lab.stop", payload: { streamId: started.streamId } });
  });

  test("a stream nobody reads ends after the start grace; one read ends at its lifetime; the instance cap holds", async () => {
    const sessions = await Promise.all(["A", "B", "C", "D"].map((name) => signIn(running.baseUrl, name)));
    const clientsByUser = sessions.map((session) => clientFor(session, transports[0]));
    const unread = await clientsByUser[0]!.send({ type: "lab.start", payload: { rate: 1, payloadBytes: 16, burstiness: 0 } });
    const read = await clientsByUser[1]!.send({ type: "lab.start", payload: { rate: 5, payloadBytes: 16, burstiness: 0 } });
    const { seen } = follow(clientsByUser[1]!, read.topic, read.position);
    // Six per instance: four more fill it, the seventh is refused.
    for (const client of clientsByUser.slice(2)) {
      for (let i = 0; i < 2; i++) await client.send({ type: "lab.start", payload: { rate: 1, payloadBytes: 16, burstiness: 0 } });
    }
    expect((await refusal(clientsByUser[0]!.send({ type: "lab.start", payload: { rate: 1, payloadBytes: 16, burstiness: 0 } }))).code).toBe("conflict");
    await waitFor(async () => (await myStreams(sessions[0]!)).streams.every((stream) => stream.streamId !== unread.streamId), "the unread stream to end", 3_000);
    await waitFor(() => seen.stopped !== null, "the read stream to reach its lifetime", LIFETIME_MS + 1_000);
    expect(seen.stopped?.reason).toBe("expired");
    await waitFor(async () => (await running.gauge("switchboard_lab_streams")) === 0, "every stream to end", 3_000);
    expect(await running.gauge("switchboard_lab_timers")).toBe(0);
  });
});
