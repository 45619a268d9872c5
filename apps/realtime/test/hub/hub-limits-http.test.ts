import { PollResponse, decodeCursor, type EventEnvelope } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { metricValue } from "../support/metrics";
import { signIn, startServer, type RunningServer } from "../support/start-server";
import { openTopics } from "../support/test-features";

// What clients see of the hub's memory bounds, over real short and long polls.
const HOUR = 60 * 60 * 1000;
const features = [openTopics("system")];
const costOf = (event: EventEnvelope) => 2 * Buffer.byteLength(JSON.stringify(event));

function newestFitting(events: EventEnvelope[], cap: number): number {
  let bytes = 0;
  let kept = 0;
  for (let i = events.length - 1; i >= 0 && (bytes += costOf(events[i]!)) <= cap; i--) kept++;
  return kept;
}

async function poll(running: RunningServer, token: string, cursor: string, path = "/v1/poll") {
  const response = await fetch(`${running.baseUrl}${path}?cursor=${cursor}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return PollResponse.parse(await response.json());
}

describe("byte caps", () => {
  let running: RunningServer;
  let token: string;
  beforeAll(async () => {
    running = await startServer({ config: { retention: { count: 10_000, ageMs: HOUR, bytesPerTopic: 20_000, bytesTotal: 50_000 } }, features });
    ({ token } = await signIn(running.baseUrl));
  });
  afterAll(async () => {
    await running.stop();
  });
  const publish = (topic: string) => running.server.hub.publish(topic, "test", { text: "x".repeat(600) });

  test("past the per-topic cap a cursor behind the oldest kept event gets a retention reset; one at it gets the rest", async () => {
    const published: EventEnvelope[] = [];
    for (let i = 0; i < 40; i++) published.push(await publish("system:big"));
    const epoch = published[0]!.epoch;
    const kept = newestFitting(published, 20_000);
    expect(kept).toBeLessThan(20);

    const behind = await poll(running, token, `system:big@${epoch}.${40 - kept - 1}`);
    expect(behind.events).toEqual([]);
    expect(behind.resets).toEqual([{ topic: "system:big", reason: "retention", position: { epoch, offset: 40 } }]);
    expect(decodeCursor(behind.cursor)?.["system:big"]).toEqual({ epoch, offset: 40 });

    const edge = await poll(running, token, `system:big@${epoch}.${40 - kept}`);
    expect(edge.resets).toEqual([]);
    expect(edge.events.map((e) => e.offset)).toEqual(published.slice(-kept).map((e) => e.offset));
  });

  test("past the total cap the oldest events go, from whichever topics hold them", async () => {
    const topics = ["system:t1", "system:t2", "system:t3", "system:t4"];
    const published: EventEnvelope[] = [];
    for (const topic of topics) for (let i = 0; i < 10; i++) published.push(await publish(topic));
    const kept = newestFitting(published, 50_000);
    expect(kept).toBeGreaterThan(30);
    expect(kept).toBeLessThan(40);
    const epochs = topics.map((topic) => published.find((e) => e.topic === topic)!.epoch);
    const fromStart = topics.map((topic, i) => `${topic}@${epochs[i]}.0`).join(",");

    const body = await poll(running, token, fromStart);
    // t1 is the oldest: its first events went; the newer topics are whole.
    expect(body.resets).toEqual([{ topic: "system:t1", reason: "retention", position: { epoch: epochs[0], offset: 10 } }]);
    expect(body.events.map((e) => `${e.topic}.${e.offset}`)).toEqual(published.slice(10).map((e) => `${e.topic}.${e.offset}`));
    const t1 = await poll(running, token, `system:t1@${epochs[0]}.${10 - (kept - 30)}`);
    expect(t1.events).toHaveLength(kept - 30);
    // The earlier, older topic went entirely.
    const big = await running.server.hub.head("system:big");
    const gone = await poll(running, token, `system:big@${big.epoch}.${big.offset - 1}`);
    expect(gone.resets.map((r) => r.reason)).toEqual(["retention"]);

    const stats = running.server.hub.stats();
    expect(stats.retainedBytes).toBe(published.slice(-kept).reduce((sum, e) => sum + costOf(e), 0));
    expect(await metricValue(running.baseUrl, "switchboard_hub_retained_bytes")).toBe(stats.retainedBytes);
    expect(await metricValue(running.baseUrl, "switchboard_hub_topics")).toBe(stats.topics);
    expect(await metricValue(running.baseUrl, "switchboard_hub_events")).toBe(kept);
  });
});

describe("idle topics", () => {
  let running: RunningServer;
  let token: string;
  beforeAll(async () => {
    running = await startServer({ config: { retention: { count: 100, ageMs: 50, topicIdleMs: 200 }, longPollTimeoutMs: 10_000 }, features });
    ({ token } = await signIn(running.baseUrl));
  });
  afterAll(async () => {
    await running.stop();
  });

  test("an idle topic is forgotten, and an old cursor then gets unknown_epoch; a listened-to one stays", async () => {
    const event = await running.server.hub.publish("system:idle", "test", { n: 1 });
    const first = await poll(running, token, "system:idle@");
    const cursor = decodeCursor(first.cursor)!["system:idle"]!;
    expect(cursor).toEqual({ epoch: event.epoch, offset: 1 });

    // A long poll holds a hub listener on system:watched meanwhile.
    const watched = await running.server.hub.head("system:watched");
    const holding = poll(running, token, `system:watched@${watched.epoch}.${watched.offset}`, "/v1/long-poll");
    const deadline = Date.now() + 5000;
    while (running.server.hub.listenerCount() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    while (running.server.hub.stats().topics > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(running.server.hub.stats().topics).toBe(1);

    const after = await poll(running, token, `system:idle@${cursor.epoch}.${cursor.offset}`);
    expect(after.resets).toHaveLength(1);
    expect(after.resets[0]).toMatchObject({ topic: "system:idle", reason: "unknown_epoch", position: { offset: 0 } });
    expect(after.resets[0]!.position.epoch).not.toBe(cursor.epoch);

    // The long poll's topic kept its epoch and still wakes its listener.
    const live = await running.server.hub.publish("system:watched", "test", { n: 2 });
    expect(live.epoch).toBe(watched.epoch);
    const answer = await holding;
    expect(answer.events.map((e) => [e.epoch, e.offset])).toEqual([[watched.epoch, 1]]);
  });
});
