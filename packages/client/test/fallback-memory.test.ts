import { describe, expect, test } from "vitest";
import { browserFallbackMemory, memoryFallbackMemory, type StorageLike } from "../src/fallback-memory";

const SERVICE = "http://127.0.0.1:4000";
const DAY = 24 * 60 * 60 * 1000;

/** A localStorage stand-in that can be told to throw like a full or forbidden one. */
function storage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  const state = { throwOnRead: false, throwOnWrite: false };
  const store: StorageLike = {
    getItem(key) {
      if (state.throwOnRead) throw new Error("SecurityError");
      return items.get(key) ?? null;
    },
    setItem(key, value) {
      if (state.throwOnWrite) throw new Error("QuotaExceededError");
      items.set(key, value);
    },
    removeItem(key) {
      items.delete(key);
    },
  };
  return { store, items, state };
}

describe("fallback memory", () => {
  test("remembers per service and wanted transport, forgets on request, and expires after the TTL", () => {
    let now = 1_000_000;
    const memory = memoryFallbackMemory({ now: () => now });
    memory.remember(SERVICE, "websocket", "sse");
    expect(memory.recall(SERVICE, "websocket")).toEqual({ worked: "sse", at: now });
    expect(memory.recall("http://other", "websocket")).toBeUndefined();
    expect(memory.recall(SERVICE, "sse")).toBeUndefined();
    now += DAY - 1;
    expect(memory.recall(SERVICE, "websocket")?.worked).toBe("sse");
    now += 1;
    expect(memory.recall(SERVICE, "websocket")).toBeUndefined();
    memory.remember(SERVICE, "websocket", "long-polling");
    memory.forget(SERVICE, "websocket");
    expect(memory.recall(SERVICE, "websocket")).toBeUndefined();
  });

  test("the browser memory survives a new instance (a page reload) through its storage", () => {
    const { store, items } = storage();
    browserFallbackMemory({ storage: store }).remember(SERVICE, "websocket", "sse");
    expect([...items.keys()]).toEqual(["switchboard.fallback"]);
    expect(browserFallbackMemory({ storage: store }).recall(SERVICE, "websocket")?.worked).toBe("sse");
    browserFallbackMemory({ storage: store }).forget(SERVICE, "websocket");
    expect(items.size).toBe(0);
  });

  test.each([
    ["not JSON", "{nope"],
    ["JSON of the wrong shape", JSON.stringify([1, 2, 3])],
    ["records of the wrong shape", JSON.stringify({ [`${SERVICE} websocket`]: { worked: 5, at: "yesterday" } })],
    ["a record from the future", JSON.stringify({ [`${SERVICE} websocket`]: { worked: "sse", at: Date.now() + DAY } })],
    ["an oversized value", JSON.stringify({ pad: "x".repeat(20_000) })],
  ])("garbage in storage (%s) reads as empty", (_what, stored) => {
    const { store } = storage({ "switchboard.fallback": stored });
    const memory = browserFallbackMemory({ storage: store });
    expect(memory.recall(SERVICE, "websocket")).toBeUndefined();
    memory.remember(SERVICE, "websocket", "sse");
    expect(memory.recall(SERVICE, "websocket")?.worked).toBe("sse");
  });

  test("storage that throws (quota, private mode) and no localStorage at all behave as an empty memory", () => {
    const { store, state } = storage();
    const memory = browserFallbackMemory({ storage: store });
    state.throwOnWrite = true;
    expect(() => memory.remember(SERVICE, "websocket", "sse")).not.toThrow();
    expect(memory.recall(SERVICE, "websocket")).toBeUndefined();
    state.throwOnRead = true;
    expect(memory.recall(SERVICE, "websocket")).toBeUndefined();
    // Node has no localStorage: the default store is absent, and that is fine.
    const absent = browserFallbackMemory();
    expect(() => absent.remember(SERVICE, "websocket", "sse")).not.toThrow();
    expect(absent.recall(SERVICE, "websocket")).toBeUndefined();
  });

  test("a flood of services keeps only the newest records (bounded)", () => {
    let now = 1_000_000;
    const { store, items } = storage();
    const memory = browserFallbackMemory({ storage: store, now: () => now++ });
    for (let i = 0; i < 100; i++) memory.remember(`http://service-${i}`, "websocket", "sse");
    expect(Object.keys(JSON.parse(items.get("switchboard.fallback")!) as object)).toHaveLength(32);
    expect(memory.recall("http://service-99", "websocket")?.worked).toBe("sse");
    expect(memory.recall("http://service-0", "websocket")).toBeUndefined();
  });
});
