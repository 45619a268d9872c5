import { describe, expect, test } from "vitest";
import { createMemoryHub } from "../src/hub/memory-hub";
import { createPresence, type PresenceChange } from "../src/hub/presence";

const ada = { id: "u1", name: "Ada" };
const bob = { id: "u2", name: "Bob" };

describe("presence", () => {
  test("a poll keeps a user present for one TTL; silence drops them with a change", () => {
    let now = 0;
    const presence = createPresence({ ttlMs: 1000, now: () => now });
    presence.track("chat");
    const changes: PresenceChange[] = [];
    presence.onChange((change) => changes.push(change));
    presence.touch(ada, ["chat:lobby", "system:ticker"]);
    expect(presence.list("chat:lobby")).toEqual([ada]);
    expect(presence.list("system:ticker")).toEqual([]); // untracked kind
    now = 900;
    presence.touch(ada, ["chat:lobby"]);
    now = 1500;
    presence.sweep();
    expect(presence.list("chat:lobby")).toEqual([ada]);
    now = 2000;
    presence.sweep();
    expect(presence.list("chat:lobby")).toEqual([]);
    expect(changes).toEqual([
      { topic: "chat:lobby", user: ada, present: true },
      { topic: "chat:lobby", user: ada, present: false },
    ]);
    presence.close();
  });

  test("a held stream keeps a user present until released, then for one TTL", () => {
    let now = 0;
    const presence = createPresence({ ttlMs: 1000, now: () => now });
    presence.track("chat");
    const release = presence.hold(bob, ["chat:lobby"]);
    now = 60_000;
    presence.sweep();
    expect(presence.list("chat:lobby")).toEqual([bob]);
    release();
    now = 60_500;
    presence.sweep();
    expect(presence.list("chat:lobby")).toEqual([bob]);
    now = 61_001;
    presence.sweep();
    expect(presence.list("chat:lobby")).toEqual([]);
    presence.close();
  });
});

describe("signals", () => {
  test("reach live listeners, stay visible to polls until they expire, and never enter the log", async () => {
    let now = 1000;
    const hub = createMemoryHub({ count: 100, ageMs: 60_000, signalTtlMs: 500 }, () => now);
    const live: string[] = [];
    const stop = hub.listen("chat:lobby", () => {}, (signal) => live.push(signal.type));
    const first = await hub.signal("chat:lobby", "typing", { userId: "u1" });
    expect(live).toEqual(["typing"]);
    expect(await hub.recentSignals("chat:lobby", 0)).toEqual([first]);
    expect(await hub.recentSignals("chat:lobby", first.ts)).toEqual([]);
    now += 600;
    expect(await hub.recentSignals("chat:lobby", 0)).toEqual([]);
    const head = await hub.head("chat:lobby");
    expect(head.offset).toBe(0);
    stop();
  });
});
