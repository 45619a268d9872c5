// The shared-connection mode against the real service: several "tabs" (clients in one process)
// over a real BroadcastChannel, the lock from memoryLocks() (Web Locks' contract within one realm;
// Node has no navigator.locks). The browser version, with real tabs and Web Locks, is
// apps/web/e2e/six-connections.spec.ts.
import { createSharedClient, memoryLocks, type BroadcastChannelLike, type LockManagerLike, type ShareOptions, type SharedClient } from "@repo/client/shared";
import { TICKER_TOPIC, echoTopic, type Position, type Topic } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { range, signIn, sleep, startTestServer, waitFor, type TestServer } from "./support/server";

let running: TestServer;
beforeAll(async () => {
  running = await startTestServer();
});
afterAll(async () => {
  await running?.stop();
});

function tab(name: string, token: string, transport: string, locks: LockManagerLike, share: Partial<ShareOptions> = {}): SharedClient {
  return createSharedClient({
    url: running.baseUrl,
    transport,
    auth: { token },
    requestTimeoutMs: 5_000,
    ackTimeoutMs: 5_000,
    commandTimeoutMs: 5_000,
    reconnect: { baseMs: 20, maxMs: 200 },
    share: { name, locks, ...share },
  });
}

function follow(client: SharedClient, topic: Topic, cursor: Position | null) {
  const offsets: number[] = [];
  const stop = client.subscribe(topic, (event) => offsets.push(event.offset), { cursor });
  return { offsets, stop };
}

async function publish(topic: Topic, count: number, pauseEvery = 10) {
  for (let n = 1; n <= count; n++) {
    await running.server.hub.publish(topic, "echo", { n });
    if (n % pauseEvery === 0) await sleep(2);
  }
}

describe.each(["sse", "websocket"])("shared connection over %s", (transport) => {
  test("three tabs read over one connection, commands go through the leader, and a handover loses and repeats nothing", async () => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    const head = await running.server.hub.head(topic);
    const from = { epoch: head.epoch, offset: head.offset };
    const locks = memoryLocks();
    const name = `group-${transport}-${session.user.id}`;
    const tabs = [tab(name, session.token, transport, locks), tab(name, session.token, transport, locks), tab(name, session.token, transport, locks)];
    const seen = tabs.map((client) => follow(client, topic, from));
    await Promise.all(tabs.map((client) => client.whenOpen(10_000)));
    expect(tabs.map((client) => client.role)).toEqual(["leader", "follower", "follower"]);
    expect(await running.gauge(`switchboard_open{transport="${transport}"}`)).toBe(1);

    await publish(topic, 100);
    await waitFor(() => seen.every(({ offsets }) => offsets.length >= 100), "100 events in every tab");

    // A follower's command runs on the leader's connection and comes back typed.
    const echoed = await tabs[2]!.send({ type: "echo", payload: { text: "from a follower" } });
    expect(echoed.offset).toBe(head.offset + 101);

    // The leader goes mid-stream: the next tab leads from its cursors.
    const publishing = publish(topic, 200);
    await sleep(5);
    tabs[0]!.close();
    await publishing;
    await waitFor(() => tabs[1]!.role === "leader", "the second tab to lead");
    await waitFor(() => seen.slice(1).every(({ offsets }) => offsets.length >= 301), "301 events in the two tabs left");
    await sleep(100);
    for (const { offsets } of seen.slice(1)) expect(offsets).toEqual(range(head.offset, 301));
    expect(tabs[2]!.role).toBe("follower");
    await waitFor(async () => (await running.gauge(`switchboard_open{transport="${transport}"}`)) === 1, "one connection again");
    expect(tabs[1]!.metrics().events).toBe(301);
    for (const client of tabs) client.close();
  });

  test("a tab that joins with a saved cursor gets the events before it (the leader rewinds the topic), and the others nothing twice", async () => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    const head = await running.server.hub.head(topic);
    const locks = memoryLocks();
    const name = `rewind-${transport}-${session.user.id}`;
    const first = tab(name, session.token, transport, locks);
    const early = follow(first, topic, { epoch: head.epoch, offset: head.offset });
    await first.whenOpen(10_000);
    await publish(topic, 30);
    await waitFor(() => early.offsets.length >= 30, "30 events in the first tab");

    const second = tab(name, session.token, transport, locks);
    const late = follow(second, topic, { epoch: head.epoch, offset: head.offset + 10 });
    await waitFor(() => late.offsets.length >= 20, "the 20 events after the saved cursor");
    await publish(topic, 10);
    await waitFor(() => early.offsets.length >= 40 && late.offsets.length >= 30, "the next 10 in both");
    await sleep(100);
    expect(early.offsets).toEqual(range(head.offset, 40));
    expect(late.offsets).toEqual(range(head.offset + 10, 30));
    expect(first.metrics().duplicates).toBeGreaterThan(0); // the rewind sent the first tab's events again; it dropped them
    first.close();
    second.close();
  });
});

test("a message that is not the shared protocol is ignored", async () => {
  const session = await signIn(running.baseUrl);
  const topic = echoTopic(session.user.id);
  const name = `junk-${session.user.id}`;
  const client = tab(name, session.token, "sse", memoryLocks());
  const seen = follow(client, topic, null);
  await client.whenOpen(10_000);
  const intruder = new BroadcastChannel(`switchboard-shared:${name}`);
  intruder.postMessage({ v: 1, from: "intruder-tab", kind: "event", event: { topic, offset: "x" } });
  intruder.postMessage({ v: 1, from: "intruder-tab", kind: "want", topics: { "not a topic": null } });
  intruder.postMessage("hello");
  await running.server.hub.publish(topic, "echo", { n: 1 });
  await waitFor(() => seen.offsets.length === 1, "the real event");
  await sleep(50);
  expect(seen.offsets).toHaveLength(1);
  expect(client.role).toBe("leader");
  intruder.close();
  client.close();
});

/** A real BroadcastChannel that can go silent both ways at once, as a crashed tab's does. */
function crashable(name: string): BroadcastChannelLike & { crash(): void } {
  const real = new BroadcastChannel(name);
  let crashed = false;
  let handler: BroadcastChannelLike["onmessage"] = null;
  real.onmessage = (event) => {
    if (!crashed) handler?.(event);
  };
  return {
    postMessage: (message) => void (crashed || real.postMessage(message)),
    close: () => real.close(),
    get onmessage() {
      return handler;
    },
    set onmessage(next) {
      handler = next;
    },
    crash: () => void (crashed = true),
  };
}

test("a follower that goes silent without a goodbye (its tab crashed) has its topics dropped by the leader", async () => {
  const session = await signIn(running.baseUrl);
  const name = `crash-${session.user.id}`;
  const locks = memoryLocks();
  const leader = tab(name, session.token, "sse", locks, { heartbeatMs: 50 });
  follow(leader, echoTopic(session.user.id), null);
  await leader.whenOpen(10_000);
  const alone = running.server.hub.listenerCount();
  let channel: ReturnType<typeof crashable> | undefined;
  const follower = tab(name, session.token, "sse", locks, { heartbeatMs: 50, channel: (channelName) => (channel = crashable(channelName)) });
  follow(follower, TICKER_TOPIC, null);
  await waitFor(() => running.server.hub.listenerCount() === alone + 1, "the leader to follow the follower's topic too");
  channel!.crash();
  // Six heartbeats of silence, then the leader stops following what only the follower wanted.
  await waitFor(() => running.server.hub.listenerCount() === alone, "the crashed follower's topic to be dropped", 5_000);
  expect(follower.role).toBe("follower");
  follower.close();
  leader.close();
});

test("a tab joining with a cursor from a lost epoch is reset to where the connection stands, as the server would reset it, and the others are not", async () => {
  const session = await signIn(running.baseUrl);
  const topic = echoTopic(session.user.id);
  const head = await running.server.hub.head(topic);
  const locks = memoryLocks();
  const name = `epoch-${session.user.id}`;
  const first = tab(name, session.token, "sse", locks);
  const firstResets: string[] = [];
  const early = first.subscribe(topic, () => {}, { cursor: { epoch: head.epoch, offset: head.offset }, onReset: (reset) => firstResets.push(reset.reason) });
  await first.whenOpen(10_000);
  await publish(topic, 5);
  await waitFor(() => first.cursors()[topic]?.offset === head.offset + 5, "5 events in the first tab");

  const second = tab(name, session.token, "sse", locks);
  const resets: Array<{ reason: string; offset: number }> = [];
  const offsets: number[] = [];
  second.subscribe(topic, (event) => offsets.push(event.offset), {
    cursor: { epoch: "an-epoch-long-gone", offset: 3 },
    onReset: (reset) => resets.push({ reason: reset.reason, offset: reset.position.offset }),
  });
  await waitFor(() => resets.length === 1, "the second tab's reset");
  expect(resets).toEqual([{ reason: "unknown_epoch", offset: head.offset + 5 }]);
  await publish(topic, 3);
  await waitFor(() => offsets.length >= 3, "the events after the reset");
  expect(offsets).toEqual(range(head.offset + 5, 3));
  expect(firstResets).toEqual([]);
  early();
  first.close();
  second.close();
});

test("a command whose leader goes before answering is run by the next leader, once", async () => {
  const session = await signIn(running.baseUrl);
  const topic = echoTopic(session.user.id);
  const head = await running.server.hub.head(topic);
  const locks = memoryLocks();
  const name = `command-${session.user.id}`;
  const leader = tab(name, session.token, "sse", locks);
  const follower = tab(name, session.token, "sse", locks);
  await waitFor(() => leader.role === "leader", "the first tab to lead");
  const answer = follower.send({ type: "echo", payload: { text: "across a handover" } });
  leader.close(); // before the leader heard the command: the follower gives it to the next leader
  const result = await answer;
  expect(follower.role).toBe("leader");
  expect(result.offset).toBe(head.offset + 1);
  await sleep(100);
  expect((await running.server.hub.head(topic)).offset).toBe(head.offset + 1);
  follower.close();
});
