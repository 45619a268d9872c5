import { echoTopic, type ResetSignal } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { range, record, signIn, sleep, startTestServer, testClient, transports, waitFor, type TestServer } from "./support/server";

const RETAINED = 20;
let running: TestServer;
beforeAll(async () => {
  running = await startTestServer({ retention: { count: RETAINED, ageMs: 60 * 60 * 1000 } });
});
afterAll(async () => {
  await running?.stop();
});

describe.each(transports)("resets over $name", ({ name, options }) => {
  test("a cursor beyond retention gets a reset, then the stream continues from its position", async () => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    for (let n = 1; n <= 50; n++) await running.server.hub.publish(topic, "echo", { n });
    const head = await running.server.hub.head(topic);
    const client = testClient(running.baseUrl, session.token, name, options);
    const resets: ResetSignal[] = [];
    client.on("reset", (reset) => resets.push(reset));
    // Offset 5 of 50 with 20 retained: events 6..30 are gone.
    const seen = record(client, topic, { epoch: head.epoch, offset: 5 });
    await waitFor(() => seen.resets.length === 1, "the reset");
    expect(seen.resets[0]).toEqual({ topic, reason: "retention", position: { epoch: head.epoch, offset: 50 } });
    expect(resets).toHaveLength(1);
    expect(seen.offsets).toEqual([]); // never a silent partial replay
    expect(client.cursors()[topic]).toEqual({ epoch: head.epoch, offset: 50 });

    for (let n = 51; n <= 55; n++) await running.server.hub.publish(topic, "echo", { n });
    await waitFor(() => seen.offsets.length === 5, "events after the reset");
    await sleep(30);
    expect(seen.offsets).toEqual(range(50, 5));
    expect(client.metrics().resets).toBe(1);
    client.close();
  });

  test("an unknown epoch gets a reset, then the stream continues from its position", async () => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    for (let n = 1; n <= 3; n++) await running.server.hub.publish(topic, "echo", { n });
    const head = await running.server.hub.head(topic);
    const client = testClient(running.baseUrl, session.token, name, options);
    const seen = record(client, topic, { epoch: "lost-history", offset: 2 });
    await waitFor(() => seen.resets.length === 1, "the reset");
    expect(seen.resets[0]).toEqual({ topic, reason: "unknown_epoch", position: { epoch: head.epoch, offset: 3 } });

    await running.server.hub.publish(topic, "echo", { n: 4 });
    await waitFor(() => seen.offsets.length === 1, "the event after the reset");
    await sleep(30);
    expect(seen.offsets).toEqual([4]);
    client.close();
  });
});
