import { describe, expect, test } from "vitest";
import { createMemoryHub } from "../src/hub/memory-hub";

const TOPIC = "system:ticker";

describe("memory hub", () => {
  test("offsets start at 1 and increase by one per topic", async () => {
    const hub = createMemoryHub({ count: 100, ageMs: 60_000 });
    const a = await hub.publish(TOPIC, "tick", { n: 1 });
    const b = await hub.publish(TOPIC, "tick", { n: 2 });
    const other = await hub.publish("echo:u1", "echo", {});
    expect([a.offset, b.offset, other.offset]).toEqual([1, 2, 1]);
    expect(a.epoch).toBe(b.epoch);
    expect(other.epoch).not.toBe(a.epoch);
  });

  test("reads strictly after a position, and from the live end for null", async () => {
    const hub = createMemoryHub({ count: 100, ageMs: 60_000 });
    const first = await hub.publish(TOPIC, "tick", 1);
    await hub.publish(TOPIC, "tick", 2);
    await hub.publish(TOPIC, "tick", 3);
    const after1 = await hub.read(TOPIC, { epoch: first.epoch, offset: 1 });
    expect(after1.kind === "events" && after1.events.map((e) => e.offset)).toEqual([2, 3]);
    const live = await hub.read(TOPIC, null);
    expect(live).toEqual({ kind: "events", events: [], position: { epoch: first.epoch, offset: 3 } });
  });

  test("a cursor older than retention by count gets a retention reset", async () => {
    const hub = createMemoryHub({ count: 5, ageMs: 60_000 });
    let epoch = "";
    for (let i = 0; i < 12; i++) epoch = (await hub.publish(TOPIC, "tick", i)).epoch;
    const tooOld = await hub.read(TOPIC, { epoch, offset: 3 });
    expect(tooOld).toEqual({ kind: "reset", reset: { topic: TOPIC, reason: "retention", position: { epoch, offset: 12 } } });
    // Offset 7 is just before the oldest retained event (8): still resumable.
    const edge = await hub.read(TOPIC, { epoch, offset: 7 });
    expect(edge.kind === "events" && edge.events.map((e) => e.offset)).toEqual([8, 9, 10, 11, 12]);
  });

  test("a cursor older than retention by age gets a retention reset", async () => {
    let now = 1_000_000;
    const hub = createMemoryHub({ count: 100, ageMs: 1000 }, () => now);
    const first = await hub.publish(TOPIC, "tick", 1);
    now += 5000;
    await hub.publish(TOPIC, "tick", 2);
    const result = await hub.read(TOPIC, { epoch: first.epoch, offset: 0 });
    expect(result.kind).toBe("reset");
    expect(result.kind === "reset" && result.reset.reason).toBe("retention");
  });

  test("an unknown epoch, or an offset beyond the head, gets an unknown_epoch reset", async () => {
    const hub = createMemoryHub({ count: 100, ageMs: 60_000 });
    const event = await hub.publish(TOPIC, "tick", 1);
    const stale = await hub.read(TOPIC, { epoch: "gone", offset: 1 });
    expect(stale.kind === "reset" && stale.reset.reason).toBe("unknown_epoch");
    const future = await hub.read(TOPIC, { epoch: event.epoch, offset: 99 });
    expect(future.kind === "reset" && future.reset.reason).toBe("unknown_epoch");
  });

  test("listeners come and go without leaking", async () => {
    const hub = createMemoryHub({ count: 100, ageMs: 60_000 });
    const seen: number[] = [];
    const stop = hub.listen(TOPIC, (e) => seen.push(e.offset));
    await hub.publish(TOPIC, "tick", 1);
    expect(hub.listenerCount()).toBe(1);
    stop();
    stop();
    await hub.publish(TOPIC, "tick", 2);
    expect(seen).toEqual([1]);
    expect(hub.listenerCount()).toBe(0);
  });
});
