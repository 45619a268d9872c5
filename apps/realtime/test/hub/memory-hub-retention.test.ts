import type { EventEnvelope, Position } from "@repo/protocol";
import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { createMemoryHub, type RetentionPolicy } from "../../src/hub/memory-hub";

const HOUR = 60 * 60 * 1000;
/** The cost the hub counts for an event: its JSON's UTF-8 size, for the envelope and its cached JSON. */
const costOf = (event: EventEnvelope) => 2 * Buffer.byteLength(JSON.stringify(event));

function clock(start = 1_000_000) {
  const state = { t: start };
  return { now: () => state.t, advance: (ms: number) => (state.t += ms) };
}

/** How many of the newest events fit in `cap` bytes (the oracle for the byte rules). */
function newestFitting(events: EventEnvelope[], cap: number): number {
  let bytes = 0;
  let kept = 0;
  for (let i = events.length - 1; i >= 0; i--) {
    bytes += costOf(events[i]!);
    if (bytes > cap) break;
    kept++;
  }
  return kept;
}

async function offsetsAfter(hub: ReturnType<typeof createMemoryHub>, topic: string, position: Position) {
  const result = await hub.read(topic, position, 100_000);
  return result.kind === "events" ? result.events.map((e) => e.offset) : result.reset.reason;
}

describe("retention by bytes", () => {
  test("the per-topic cap drops the oldest events; a cursor behind them gets a retention reset", async () => {
    const cap = 10_000;
    const hub = createMemoryHub({ count: 1000, ageMs: HOUR, bytesPerTopic: cap });
    const published: EventEnvelope[] = [];
    for (let i = 0; i < 40; i++) published.push(await hub.publish("chat:a", "message", { text: "x".repeat(200), i }));
    const kept = newestFitting(published, cap);
    expect(kept).toBeGreaterThan(3);
    expect(kept).toBeLessThan(40);
    const epoch = published[0]!.epoch;
    const firstKept = 40 - kept + 1;

    // Just before the oldest retained event: everything retained. One further back: reset.
    expect(await offsetsAfter(hub, "chat:a", { epoch, offset: firstKept - 1 })).toEqual(published.slice(-kept).map((e) => e.offset));
    expect(await hub.read("chat:a", { epoch, offset: firstKept - 2 })).toEqual({
      kind: "reset",
      reset: { topic: "chat:a", reason: "retention", position: { epoch, offset: 40 } },
    });
    const stats = hub.stats();
    expect(stats.events).toBe(kept);
    expect(stats.retainedBytes).toBe(published.slice(-kept).reduce((sum, e) => sum + costOf(e), 0));
    expect(stats.retainedBytes).toBeLessThanOrEqual(cap);
    await hub.close();
  });

  test("the total cap drops the oldest events of all topics first, and spares the newer topics", async () => {
    const cap = 20_000;
    const hub = createMemoryHub({ count: 1000, ageMs: HOUR, bytesPerTopic: 1_000_000, bytesTotal: cap });
    const published: EventEnvelope[] = [];
    // Old traffic on "a", then newer traffic on "b" and "c", interleaved.
    for (let i = 0; i < 20; i++) published.push(await hub.publish("chat:a", "message", { text: "a".repeat(300) }));
    for (let i = 0; i < 10; i++) {
      published.push(await hub.publish("chat:b", "message", { text: "b".repeat(300) }));
      published.push(await hub.publish("chat:c", "message", { text: "c".repeat(300) }));
    }
    const kept = newestFitting(published, cap);
    expect(kept).toBeGreaterThan(20); // all of b and c and a few of a
    expect(kept).toBeLessThan(40);
    const keptOfA = kept - 20;
    const [a, b, c] = ["chat:a", "chat:b", "chat:c"].map((topic) => published.find((e) => e.topic === topic)!.epoch);

    expect(await offsetsAfter(hub, "chat:a", { epoch: a!, offset: 0 })).toBe("retention");
    expect(await offsetsAfter(hub, "chat:a", { epoch: a!, offset: 20 - keptOfA })).toHaveLength(keptOfA);
    expect(await offsetsAfter(hub, "chat:b", { epoch: b!, offset: 0 })).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await offsetsAfter(hub, "chat:c", { epoch: c!, offset: 0 })).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(hub.stats()).toEqual({ topics: 3, events: kept, retainedBytes: published.slice(-kept).reduce((s, e) => s + costOf(e), 0) });

    // Newer traffic on b then pushes out the rest of a, then b's own oldest.
    for (let i = 0; i < 30; i++) await hub.publish("chat:b", "message", { text: "b".repeat(300) });
    expect(await offsetsAfter(hub, "chat:a", { epoch: a!, offset: 19 })).toBe("retention");
    expect(await offsetsAfter(hub, "chat:c", { epoch: c!, offset: 0 })).toBe("retention");
    expect(hub.stats().retainedBytes).toBeLessThanOrEqual(cap);
    await hub.close();
  });

  test("a flood of 100k small events on many topics stays under the total cap", async () => {
    const cap = 1024 * 1024;
    const hub = createMemoryHub({ count: 10_000, ageMs: HOUR, bytesPerTopic: 256 * 1024, bytesTotal: cap });
    let largest = 0;
    let over = 0;
    for (let i = 0; i < 100_000; i++) {
      const event = await hub.publish(`echo:guest-${i % 997}`, "echo", { text: `hello ${i}`, from: `guest-${i % 997}` });
      largest = Math.max(largest, costOf(event));
      if (hub.stats().retainedBytes > cap) over++;
    }
    expect(over).toBe(0);
    const { topics, events, retainedBytes } = hub.stats();
    expect(topics).toBe(997);
    // Full, not over-trimmed: within one event of the cap.
    expect(retainedBytes).toBeGreaterThan(cap - largest);
    expect(events).toBeLessThan(cap / 100);
    // And the newest event of the newest topic is still readable right behind its cursor.
    const newestTopic = `echo:guest-${99_999 % 997}`;
    const last = await hub.head(newestTopic);
    expect(await offsetsAfter(hub, newestTopic, { epoch: last.epoch, offset: last.offset - 1 })).toEqual([last.offset]);
    await hub.close();
  });

  fcTest.prop(
    [
      fc.array(
        fc.record({ topic: fc.constantFrom("t:a", "t:b", "t:c"), size: fc.nat({ max: 600 }), wait: fc.nat({ max: 400 }) }),
        { maxLength: 120 },
      ),
    ],
    { numRuns: 60 },
  )("agrees with a simple model: count, age and both byte caps", async (steps) => {
    const policy: Required<RetentionPolicy> = { count: 8, ageMs: 2000, bytesPerTopic: 3000, bytesTotal: 6000, topicIdleMs: HOUR, signalTtlMs: 4000, kinds: {} };
    const time = clock();
    const hub = createMemoryHub(policy, time.now);
    // The model: every event kept in publish order, and which are dropped.
    const all: EventEnvelope[] = [];
    const dropped = new Set<EventEnvelope>();
    for (const step of steps) {
      time.advance(step.wait);
      const event = await hub.publish(step.topic, "x", "y".repeat(step.size));
      all.push(event);
      const live = () => all.filter((e) => !dropped.has(e));
      const ofTopic = () => live().filter((e) => e.topic === step.topic);
      while (ofTopic().length > policy.count) dropped.add(ofTopic()[0]!);
      for (const e of ofTopic()) if (e.ts < time.now() - policy.ageMs) dropped.add(e);
      while (ofTopic().reduce((s, e) => s + costOf(e), 0) > policy.bytesPerTopic) dropped.add(ofTopic()[0]!);
      while (live().reduce((s, e) => s + costOf(e), 0) > policy.bytesTotal) dropped.add(live()[0]!);
      const kept = live();
      expect(hub.stats().events).toBe(kept.length);
      expect(hub.stats().retainedBytes).toBe(kept.reduce((s, e) => s + costOf(e), 0));
    }
    // Reads see what the model keeps (reads also apply the age rule, as publishes of other topics do not).
    for (const topic of ["t:a", "t:b", "t:c"]) {
      const head = await hub.head(topic);
      const expected = all.filter((e) => e.topic === topic && !dropped.has(e) && e.ts >= time.now() - policy.ageMs).map((e) => e.offset);
      const from = expected.length > 0 ? expected[0]! - 1 : head.offset;
      expect(await offsetsAfter(hub, topic, { epoch: head.epoch, offset: from })).toEqual(expected);
      if (from > 0) expect(await offsetsAfter(hub, topic, { epoch: head.epoch, offset: from - 1 })).toBe("retention");
    }
    await hub.close();
  });
});

describe("retention by age", () => {
  test("is applied on publish, for a topic nobody reads", async () => {
    const time = clock();
    const hub = createMemoryHub({ count: 10_000, ageMs: 1000 }, time.now);
    const published: EventEnvelope[] = [];
    for (let i = 0; i < 50; i++) published.push(await hub.publish("echo:nobody", "echo", { i }));
    expect(hub.stats().events).toBe(50);
    time.advance(600);
    for (let i = 0; i < 5; i++) published.push(await hub.publish("echo:nobody", "echo", { i }));
    expect(hub.stats().events).toBe(55);
    time.advance(500); // the first 50 are now 1100 ms old, the next 5 only 500 ms
    published.push(await hub.publish("echo:nobody", "echo", { last: true }));
    expect(hub.stats()).toEqual({ topics: 1, events: 6, retainedBytes: published.slice(-6).reduce((s, e) => s + costOf(e), 0) });
    await hub.close();
  });

  test("is applied by the sweep to a topic nobody publishes to or reads", async () => {
    const time = clock();
    const hub = createMemoryHub({ count: 10_000, ageMs: 1000 }, time.now);
    for (let i = 0; i < 10; i++) await hub.publish("echo:quiet", "echo", { i });
    time.advance(1001);
    hub.sweep();
    expect(hub.stats()).toEqual({ topics: 1, events: 0, retainedBytes: 0 });
    await hub.close();
  });
});

describe("idle topics", () => {
  const policy = { count: 100, ageMs: 1000, topicIdleMs: 5000 };

  test("are evicted; a read with an old cursor then gets unknown_epoch and a fresh epoch", async () => {
    const time = clock();
    const hub = createMemoryHub(policy, time.now);
    const event = await hub.publish("echo:gone", "echo", {});
    await hub.read("echo:gone", null);
    time.advance(4999);
    hub.sweep();
    expect(hub.stats().topics).toBe(1); // touched 4999 ms ago: not idle yet
    time.advance(1);
    hub.sweep();
    expect(hub.stats()).toEqual({ topics: 0, events: 0, retainedBytes: 0 });
    const read = await hub.read("echo:gone", { epoch: event.epoch, offset: event.offset });
    expect(read.kind === "reset" && read.reset.reason).toBe("unknown_epoch");
    expect(read.kind === "reset" && read.reset.position.epoch).not.toBe(event.epoch);
    expect(read.kind === "reset" && read.reset.position.offset).toBe(0);
    await hub.close();
  });

  test("a read, head or recent event keeps a topic", async () => {
    const time = clock();
    const hub = createMemoryHub({ ...policy, ageMs: 20_000 }, time.now);
    await hub.publish("t:published", "x", {});
    await hub.read("t:read", null);
    await hub.head("t:head");
    time.advance(4000);
    await hub.read("t:read", null);
    await hub.head("t:head");
    time.advance(4000);
    hub.sweep();
    // t:published was last touched 8 s ago but its event is within the age: kept, with its event.
    expect(hub.stats()).toMatchObject({ topics: 3, events: 1 });
    time.advance(20_000);
    hub.sweep();
    expect(hub.stats().topics).toBe(0);
    await hub.close();
  });

  test("a topic with a listener is never evicted; idle time counts from when it left", async () => {
    const time = clock();
    const hub = createMemoryHub(policy, time.now);
    const seen: number[] = [];
    const stop = hub.listen("chat:watched", (e) => seen.push(e.offset));
    const first = await hub.publish("chat:watched", "message", {});
    time.advance(60 * 60 * 1000);
    hub.sweep();
    expect(hub.stats().topics).toBe(1);
    const second = await hub.publish("chat:watched", "message", {});
    expect(second.epoch).toBe(first.epoch);
    expect(seen).toEqual([1, 2]);
    time.advance(2000);
    stop();
    time.advance(4999);
    hub.sweep();
    expect(hub.stats().topics).toBe(1);
    time.advance(1);
    hub.sweep();
    expect(hub.stats().topics).toBe(0);
    await hub.close();
  });

  test("expired signals go with an idle topic; unexpired ones are still seen by polls", async () => {
    const time = clock();
    const hub = createMemoryHub({ ...policy, signalTtlMs: 4000 }, time.now);
    const signal = await hub.signal("chat:typing", "typing", { who: "ada" });
    time.advance(3000);
    hub.sweep();
    expect(await hub.recentSignals("chat:typing", 0)).toEqual([signal]);
    time.advance(2000);
    hub.sweep();
    expect(hub.stats().topics).toBe(0);
    expect(await hub.recentSignals("chat:typing", 0)).toEqual([]);
    await hub.close();
  });

  test("are swept by a timer, which close() stops", async () => {
    const fast = { count: 100, ageMs: 1, topicIdleMs: 20 };
    const running = createMemoryHub(fast);
    const closed = createMemoryHub(fast);
    await running.publish("t:x", "x", {});
    await closed.publish("t:x", "x", {});
    await closed.close();
    const deadline = Date.now() + 5000;
    while (running.stats().topics > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(running.stats().topics).toBe(0);
    expect(closed.stats().topics).toBe(1);
    await running.close();
  });
});

describe("listener errors", () => {
  test("a throwing listener stops neither the others nor publish, and is reported", async () => {
    const reported: Array<[unknown, string]> = [];
    const hub = createMemoryHub({ count: 100, ageMs: HOUR }, Date.now, { onListenerError: (error, topic) => reported.push([error, topic]) });
    const seen: string[] = [];
    const boom = new Error("listener bug");
    hub.listen("chat:a", () => seen.push("first"));
    hub.listen(
      "chat:a",
      () => {
        throw boom;
      },
      () => {
        throw boom;
      },
    );
    hub.listen(
      "chat:a",
      () => seen.push("third"),
      () => seen.push("signal"),
    );
    const event = await hub.publish("chat:a", "message", { n: 1 });
    expect(seen).toEqual(["first", "third"]);
    expect(reported).toEqual([[boom, "chat:a"]]);
    // The event is logged once, as usual.
    expect(await offsetsAfter(hub, "chat:a", { epoch: event.epoch, offset: 0 })).toEqual([1]);
    await hub.signal("chat:a", "typing", {});
    expect(seen).toEqual(["first", "third", "signal"]);
    expect(reported).toHaveLength(2);
    await hub.close();
  });

  test("without a reporter, and with one that throws itself, publish still resolves", async () => {
    const throwingReporter = () => {
      throw new Error("reporter bug");
    };
    for (const options of [{}, { onListenerError: throwingReporter }]) {
      const hub = createMemoryHub({ count: 100, ageMs: HOUR }, Date.now, options);
      let after = 0;
      hub.listen("chat:a", () => {
        throw new Error("listener bug");
      });
      hub.listen("chat:a", () => after++);
      await expect(hub.publish("chat:a", "message", {})).resolves.toMatchObject({ offset: 1 });
      expect(after).toBe(1);
      await hub.close();
    }
  });
});

describe("retention per topic kind", () => {
  test("a kind with its own bounds keeps less and is forgotten sooner; other kinds keep the defaults", async () => {
    const time = clock();
    const hub = createMemoryHub({ count: 100, ageMs: HOUR, topicIdleMs: HOUR, kinds: { game: { count: 5, ageMs: 1000, topicIdleMs: 2000 } } }, time.now);
    for (let i = 0; i < 20; i++) {
      await hub.publish("game:AAAAAAAAAAAA", "game.tick", { i });
      await hub.publish("echo:someone", "echo", { i });
    }
    expect(await offsetsAfter(hub, "game:AAAAAAAAAAAA", { epoch: (await hub.head("game:AAAAAAAAAAAA")).epoch, offset: 15 })).toEqual([16, 17, 18, 19, 20]);
    expect(await offsetsAfter(hub, "game:AAAAAAAAAAAA", { epoch: (await hub.head("game:AAAAAAAAAAAA")).epoch, offset: 14 })).toBe("retention");
    expect(hub.stats().events).toBe(5 + 20);
    // Its own age and idle time: gone after 2 s untouched; the other topic stays.
    time.advance(2001);
    hub.sweep();
    expect(hub.stats()).toMatchObject({ topics: 1, events: 20 });
    await hub.close();
  });
});
