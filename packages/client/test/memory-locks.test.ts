import { describe, expect, test } from "vitest";
import { memoryLocks } from "../src/shared/leader-lock";

describe("memoryLocks (Web Locks' exclusive mode within one realm)", () => {
  test("grants one holder at a time, in request order, each until its callback settles", async () => {
    const locks = memoryLocks();
    const order: string[] = [];
    const releases: Array<() => void> = [];
    const hold = (who: string) =>
      locks.request("leader", { mode: "exclusive" }, () => {
        order.push(who);
        return new Promise<void>((resolve) => releases.push(resolve));
      });
    const done = [hold("a"), hold("b"), hold("c")];
    await Promise.resolve();
    expect(order).toEqual(["a"]);
    releases[0]!();
    await done[0];
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(order).toEqual(["a", "b"]);
    releases[1]!();
    await done[1];
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(order).toEqual(["a", "b", "c"]);
    releases[2]!();
    await done[2];
  });

  test("an aborted request that is still waiting is withdrawn and rejects; other names do not wait", async () => {
    const locks = memoryLocks();
    let release!: () => void;
    const held = locks.request("x", { mode: "exclusive" }, () => new Promise<void>((resolve) => (release = resolve)));
    const abort = new AbortController();
    let granted = false;
    const waiting = locks.request("x", { mode: "exclusive", signal: abort.signal }, async () => {
      granted = true;
    });
    const other = await locks.request("y", { mode: "exclusive" }, async () => "free");
    expect(other).toBe("free");
    abort.abort();
    await expect(waiting).rejects.toThrow();
    release();
    await held;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(granted).toBe(false);
  });
});
