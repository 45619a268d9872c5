import { describe, expect, test } from "vitest";
import { createTicketLedger } from "../src/auth/ticket-ledger";

const TTL = 30_000;

describe("ticket ledger", () => {
  test("refuses a replay until the ticket expires, then forgets it", () => {
    let t = 1_000_000;
    const ledger = createTicketLedger(() => t);
    expect(ledger.redeem("a", t + TTL)).toBe(true);
    expect(ledger.redeem("a", t + TTL)).toBe(false);
    t += TTL - 1;
    expect(ledger.redeem("a", t + TTL)).toBe(false);
    expect(ledger.redeem("b", t + TTL)).toBe(true);
    expect(ledger.size()).toBe(2);
    t += 1; // "a" has expired, "b" has not
    expect(ledger.redeem("c", t + TTL)).toBe(true);
    expect(ledger.size()).toBe(2);
    expect(ledger.redeem("b", t + TTL)).toBe(false);
  });

  test("forgets every expired redemption, however many, and none of the live ones", () => {
    let t = 0;
    const ledger = createTicketLedger(() => t);
    for (let i = 0; i < 5000; i++) {
      t += 1;
      expect(ledger.redeem(`t${i}`, t + TTL)).toBe(true);
    }
    expect(ledger.size()).toBe(5000);
    t = TTL + 2001; // the first 2001 (redeemed at 1 … 2001) have expired
    expect(ledger.redeem("late", t + TTL)).toBe(true);
    expect(ledger.size()).toBe(5000 - 2001 + 1);
    expect(ledger.redeem("t2001", 0)).toBe(false);
    expect(ledger.redeem("t2000", t + TTL)).toBe(true);
  });

  test("sweeps only the expired head of the queue, never an entry behind a live one", () => {
    let t = 0;
    const ledger = createTicketLedger(() => t);
    // Out of order on purpose: the sweep looks at the head only, so "short" (behind the
    // live "long") is kept past its expiry. Kept late is safe; forgotten early would not be.
    ledger.redeem("first", 1000);
    ledger.redeem("long", 10_000);
    ledger.redeem("short", 1100);
    t = 2000;
    expect(ledger.redeem("new", 40_000)).toBe(true);
    expect(ledger.size()).toBe(3); // "first" went; "long", "short", "new" remain
    expect(ledger.redeem("short", 1100)).toBe(false);
    t = 10_000;
    expect(ledger.redeem("newer", 40_000)).toBe(true);
    expect(ledger.size()).toBe(2); // "long" expired, and "short" right behind it: "new" and "newer" remain
    expect(ledger.redeem("short", 50_000)).toBe(true);
  });
});
