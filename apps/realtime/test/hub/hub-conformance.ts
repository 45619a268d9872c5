import type { EventEnvelope } from "@repo/protocol";
import { expect, test } from "vitest";
import type { Hub } from "../../src/hub/hub";
import type { RetentionPolicy } from "../../src/hub/memory-hub";

/** Makes a fresh, empty hub (its own key space) for one test; `now` is the hub's clock. */
export type HubMaker = (retention: RetentionPolicy, now?: () => number) => Promise<Hub>;

const TOPIC = "system:ticker";

/** Resolves once `check` holds (a shared hub delivers live events a moment after `publish` resolves). */
export async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * What every Hub must do, whatever holds the logs: the memory hub and the Redis
 * hub both run it (memory-hub.test.ts, redis-hub.test.ts).
 */
export function hubConformance(makeHub: HubMaker) {
  test("offsets start at 1 and increase by one per topic; each topic has its own epoch", async () => {
    const hub = await makeHub({ count: 100, ageMs: 60_000 });
    const a = await hub.publish(TOPIC, "tick", { n: 1 });
    const b = await hub.publish(TOPIC, "tick", { n: 2 });
    const other = await hub.publish("echo:u1", "echo", {});
    expect([a.offset, b.offset, other.offset]).toEqual([1, 2, 1]);
    expect(a.epoch).toBe(b.epoch);
    expect(other.epoch).not.toBe(a.epoch);
    await hub.close();
  });

  test("reads strictly after a position, and from the live end for null; head says where the topic is", async () => {
    const hub = await makeHub({ count: 100, ageMs: 60_000 });
    const first = await hub.publish(TOPIC, "tick", 1);
    await hub.publish(TOPIC, "tick", { nested: ["two"] });
    await hub.publish(TOPIC, "tick", 3);
    const after1 = await hub.read(TOPIC, { epoch: first.epoch, offset: 1 });
    expect(after1.kind === "events" && after1.events.map((e) => [e.offset, e.payload])).toEqual([
      [2, { nested: ["two"] }],
      [3, 3],
    ]);
    expect(after1.kind === "events" && after1.position).toEqual({ epoch: first.epoch, offset: 3 });
    const limited = await hub.read(TOPIC, { epoch: first.epoch, offset: 0 }, 2);
    expect(limited.kind === "events" && limited.events.map((e) => e.offset)).toEqual([1, 2]);
    const live = await hub.read(TOPIC, null);
    expect(live).toEqual({ kind: "events", events: [], position: { epoch: first.epoch, offset: 3 } });
    const head = await hub.head(TOPIC);
    expect({ epoch: head.epoch, offset: head.offset }).toEqual({ epoch: first.epoch, offset: 3 });
    expect(head.publishedAt).toBeGreaterThan(0);
    const empty = await hub.head("echo:nobody");
    expect([empty.offset, empty.publishedAt]).toEqual([0, 0]);
    await hub.close();
  });

  test("a cursor older than retention by count gets a retention reset; one just before the oldest kept event gets the rest", async () => {
    const hub = await makeHub({ count: 5, ageMs: 60_000 });
    let epoch = "";
    for (let i = 0; i < 12; i++) epoch = (await hub.publish(TOPIC, "tick", i)).epoch;
    const tooOld = await hub.read(TOPIC, { epoch, offset: 3 });
    expect(tooOld).toEqual({ kind: "reset", reset: { topic: TOPIC, reason: "retention", position: { epoch, offset: 12 } } });
    const edge = await hub.read(TOPIC, { epoch, offset: 7 });
    expect(edge.kind === "events" && edge.events.map((e) => e.offset)).toEqual([8, 9, 10, 11, 12]);
    await hub.close();
  });

  test("a cursor older than retention by age gets a retention reset", async () => {
    let now = 1_000_000;
    const hub = await makeHub({ count: 100, ageMs: 1000 }, () => now);
    const first = await hub.publish(TOPIC, "tick", 1);
    now += 5000;
    await hub.publish(TOPIC, "tick", 2);
    const result = await hub.read(TOPIC, { epoch: first.epoch, offset: 0 });
    expect(result.kind === "reset" && result.reset.reason).toBe("retention");
    const fresh = await hub.read(TOPIC, { epoch: first.epoch, offset: 1 });
    expect(fresh.kind === "events" && fresh.events.map((e) => e.offset)).toEqual([2]);
    await hub.close();
  });

  test("an unknown epoch, or an offset beyond the head, gets an unknown_epoch reset", async () => {
    const hub = await makeHub({ count: 100, ageMs: 60_000 });
    const event = await hub.publish(TOPIC, "tick", 1);
    const stale = await hub.read(TOPIC, { epoch: "gone", offset: 1 });
    expect(stale).toEqual({ kind: "reset", reset: { topic: TOPIC, reason: "unknown_epoch", position: { epoch: event.epoch, offset: 1 } } });
    const future = await hub.read(TOPIC, { epoch: event.epoch, offset: 99 });
    expect(future.kind === "reset" && future.reset.reason).toBe("unknown_epoch");
    await hub.close();
  });

  test("live listeners get every event once, in order; they come and go without leaking", async () => {
    const hub = await makeHub({ count: 1000, ageMs: 60_000 });
    const seen: number[] = [];
    const other: number[] = [];
    const stop = hub.listen(TOPIC, (e) => seen.push(e.offset));
    const stopOther = hub.listen(TOPIC, (e) => other.push(e.offset));
    // A read after listen: nothing published after it is missed by the listener.
    await hub.read(TOPIC, null);
    for (let i = 1; i <= 50; i++) await hub.publish(TOPIC, "tick", i);
    await eventually(() => seen.length === 50 && other.length === 50);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(hub.listenerCount()).toBe(2);
    stop();
    stop();
    stopOther();
    await hub.publish(TOPIC, "tick", 51);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toHaveLength(50);
    expect(hub.listenerCount()).toBe(0);
    await hub.close();
  });

  test("a throwing listener stops neither the others nor publish", async () => {
    const hub = await makeHub({ count: 100, ageMs: 60_000 });
    const seen: EventEnvelope[] = [];
    hub.listen(TOPIC, () => {
      throw new Error("listener bug");
    });
    hub.listen(TOPIC, (e) => seen.push(e));
    await hub.read(TOPIC, null);
    await expect(hub.publish(TOPIC, "tick", 1)).resolves.toMatchObject({ offset: 1 });
    await eventually(() => seen.length === 1);
    await hub.close();
  });

  test("signals reach live listeners and, until they expire, polls; they are never logged", async () => {
    let now = 2_000_000;
    const hub = await makeHub({ count: 100, ageMs: 60_000, signalTtlMs: 1000 }, () => now);
    const heard: string[] = [];
    hub.listen(TOPIC, () => {}, (signal) => heard.push(signal.type));
    await hub.read(TOPIC, null);
    const sent = await hub.signal(TOPIC, "typing", { user: "u1" });
    await eventually(() => heard.length === 1);
    expect(heard).toEqual(["typing"]);
    expect(await hub.recentSignals(TOPIC, 0)).toEqual([sent]);
    expect(await hub.recentSignals(TOPIC, sent.ts)).toEqual([]);
    const log = await hub.read(TOPIC, { epoch: (await hub.head(TOPIC)).epoch, offset: 0 });
    expect(log.kind === "events" && log.events).toEqual([]);
    now += 5000;
    expect(await hub.recentSignals(TOPIC, 0)).toEqual([]);
    await hub.close();
  });

  test("an unencodable payload is refused whole: nothing is logged", async () => {
    const hub = await makeHub({ count: 100, ageMs: 60_000 });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(hub.publish(TOPIC, "tick", circular)).rejects.toThrow();
    const next = await hub.publish(TOPIC, "tick", 1);
    expect(next.offset).toBe(1);
    await hub.close();
  });
}
