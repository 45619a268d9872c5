import { TICKER_TOPIC, echoTopic } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { range, record, signIn, sleep, startTestServer, testClient, transports, waitFor, type TestServer } from "./support/server";

let running: TestServer;
beforeAll(async () => {
  running = await startTestServer();
});
afterAll(async () => {
  await running?.stop();
});

describe.each(transports)("delivery over $name", ({ name, options }) => {
  test("1,000 events arrive in order, each once, across 5 forced disconnects", async () => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    const head = await running.server.hub.head(topic);
    const client = testClient(running.baseUrl, session.token, name, options);
    const statuses: string[] = [];
    client.on("status", (status) => statuses.push(status));
    const seen = record(client, topic, { epoch: head.epoch, offset: head.offset });
    await client.whenOpen();

    const TOTAL = 1000;
    const dropsAt = [100, 300, 500, 700, 900];
    let clientSideDrops = 0;
    for (let n = 1; n <= TOTAL; n++) {
      await running.server.hub.publish(topic, "echo", { n });
      if (n % 5 === 0) await sleep(1);
      const drop = dropsAt.indexOf(n);
      if (drop === -1) continue;
      // Alternate: every TCP connection dies on the server's side / the client's connection drops.
      if (drop % 2 === 0) running.dropConnections();
      else {
        await waitFor(() => client.status === "open", "the client to be open before dropping it");
        client.dropConnection();
        clientSideDrops++;
      }
    }
    await waitFor(() => seen.offsets.length >= TOTAL, `${TOTAL} events (got ${seen.offsets.length})`, 30_000);
    await sleep(50);

    expect(seen.offsets).toEqual(range(head.offset, TOTAL));
    expect(seen.payloads.map((payload) => (payload as { n: number }).n)).toEqual(range(0, TOTAL));
    const metrics = client.metrics();
    expect(metrics.events).toBe(TOTAL);
    expect(metrics.reconnects).toBeGreaterThanOrEqual(clientSideDrops);
    expect(statuses).toContain("reconnecting");
    expect(metrics.latency.samples).toBeGreaterThan(0);
    client.close();
    expect(client.status).toBe("closed");
  });

  test("several topics share one connection, and topics come and go without a gap", async () => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    const head = await running.server.hub.head(topic);
    const client = testClient(running.baseUrl, session.token, name, options);
    const echo = record(client, topic, { epoch: head.epoch, offset: head.offset });
    const ticker = record(client, TICKER_TOPIC, null);
    await client.whenOpen();
    if (name !== "polling") {
      // One stream, socket or held poll per client, however many topics.
      expect(await running.gauge(`switchboard_open{transport="${name}"}`)).toBeLessThanOrEqual(1);
    }
    await running.server.hub.publish(TICKER_TOPIC, "tick", { n: -1 });
    for (let n = 1; n <= 20; n++) await running.server.hub.publish(topic, "echo", { n });
    await waitFor(() => echo.offsets.length === 20 && ticker.offsets.length >= 1, "events on both topics");

    // A second subscriber of a followed topic joins live; dropping one subscriber keeps the topic.
    const late: number[] = [];
    const stopLate = client.subscribe(topic, (event) => late.push(event.offset));
    ticker.unsubscribe();
    await sleep(30);
    for (let n = 21; n <= 40; n++) await running.server.hub.publish(topic, "echo", { n });
    await waitFor(() => echo.offsets.length === 40 && late.length === 20, "events after the topic change");
    expect(echo.offsets).toEqual(range(head.offset, 40));
    expect(late).toEqual(range(head.offset + 20, 20));
    expect(Object.keys(client.cursors())).toEqual([topic]);
    stopLate();
    echo.unsubscribe();
    client.close();
  });

  test("a command's effect comes back as an event, with a typed result", async () => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    const client = testClient(running.baseUrl, session.token, name, options);
    const seen = record(client, topic, null);
    await client.whenOpen();
    await sleep(20);
    const result = await client.send({ type: "echo", payload: { text: "hello" } });
    expect(result.topic).toBe(topic);
    await waitFor(() => seen.offsets.includes(result.offset), "the echo event");
    expect(seen.payloads.at(-1)).toEqual({ text: "hello", from: session.user.id });
    client.close();
  });

  test("ephemeral signals arrive once each, beside the events", async () => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    const client = testClient(running.baseUrl, session.token, name, options);
    const signals: unknown[] = [];
    const offsets: number[] = [];
    client.subscribe(topic, (event) => offsets.push(event.offset), { onSignal: (signal) => signals.push(signal.payload) });
    await client.whenOpen();
    await sleep(50);
    for (let n = 1; n <= 5; n++) {
      await running.server.hub.signal(topic, "typing", { n });
      await sleep(5);
    }
    await running.server.hub.publish(topic, "echo", { n: 1 });
    await waitFor(() => signals.length === 5 && offsets.length === 1, "5 signals and the event");
    // Polls keep seeing unexpired signals: they must not be delivered again.
    await sleep(200);
    expect(signals).toEqual([1, 2, 3, 4, 5].map((n) => ({ n })));
    expect(client.metrics().signals).toBe(5);
    client.close();
  });
});
