import { describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { createRedisTicketLedger, createTicketLedger } from "../src/auth/ticket-ledger";

const TTL = 30_000;

describe("ticket ledger", async () => {
  test("refuses a replay until the ticket expires, then forgets it", async () => {
    let t = 1_000_000;
    const ledger = createTicketLedger(() => t);
    expect(await ledger.redeem("a", t + TTL)).toBe(true);
    expect(await ledger.redeem("a", t + TTL)).toBe(false);
    t += TTL - 1;
    expect(await ledger.redeem("a", t + TTL)).toBe(false);
    expect(await ledger.redeem("b", t + TTL)).toBe(true);
    expect(ledger.size()).toBe(2);
    t += 1; // "a" has expired, "b" has not
    expect(await ledger.redeem("c", t + TTL)).toBe(true);
    expect(ledger.size()).toBe(2);
    expect(await ledger.redeem("b", t + TTL)).toBe(false);
  });

  test("forgets every expired redemption, however many, and none of the live ones", async () => {
    let t = 0;
    const ledger = createTicketLedger(() => t);
    for (let i = 0; i < 5000; i++) {
      t += 1;
      expect(await ledger.redeem(`t${i}`, t + TTL)).toBe(true);
    }
    expect(ledger.size()).toBe(5000);
    t = TTL + 2001; // the first 2001 (redeemed at 1 … 2001) have expired
    expect(await ledger.redeem("late", t + TTL)).toBe(true);
    expect(ledger.size()).toBe(5000 - 2001 + 1);
    expect(await ledger.redeem("t2001", 0)).toBe(false);
    expect(await ledger.redeem("t2000", t + TTL)).toBe(true);
  });

  test("sweeps only the expired head of the queue, never an entry behind a live one", async () => {
    let t = 0;
    const ledger = createTicketLedger(() => t);
    // Out of order on purpose: the sweep looks at the head only, so "short" (behind the
    // live "long") is kept past its expiry. Kept late is safe; forgotten early would not be.
    await ledger.redeem("first", 1000);
    await ledger.redeem("long", 10_000);
    await ledger.redeem("short", 1100);
    t = 2000;
    expect(await ledger.redeem("new", 40_000)).toBe(true);
    expect(ledger.size()).toBe(3); // "first" went; "long", "short", "new" remain
    expect(await ledger.redeem("short", 1100)).toBe(false);
    t = 10_000;
    expect(await ledger.redeem("newer", 40_000)).toBe(true);
    expect(ledger.size()).toBe(2); // "long" expired, and "short" right behind it: "new" and "newer" remain
    expect(await ledger.redeem("short", 50_000)).toBe(true);
  });
});

describe("ticket ledger on Redis", () => {
  test("a ticket redeemed through one instance is refused through another, until it expires", async () => {
    const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
    const [one, two] = [new Redis(url), new Redis(url)];
    const prefix = `sb-test-${randomUUID().slice(0, 8)}:ticket:`;
    const a = createRedisTicketLedger(one, prefix);
    const b = createRedisTicketLedger(two, prefix);
    const expiresAt = Date.now() + 300;
    expect(await a.redeem("t1", expiresAt)).toBe(true);
    expect(await b.redeem("t1", expiresAt)).toBe(false);
    expect(await a.redeem("t1", expiresAt)).toBe(false);
    expect(await b.redeem("t2", expiresAt)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Expired with the ticket (whose signature has expired too by then): nothing is kept.
    expect(await one.exists(`${prefix}t1`, `${prefix}t2`)).toBe(0);
    one.disconnect();
    two.disconnect();
  });

  test("Redis unreachable: a redemption is a typed unavailable, never let through", async () => {
    const down = new Redis("redis://127.0.0.1:1", { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on("error", () => {});
    await expect(createRedisTicketLedger(down).redeem("t", Date.now() + 1000)).rejects.toMatchObject({ code: "unavailable" });
    down.disconnect();
  });
});
