import { describe, expect, it } from "vitest";
import { flagOfRule, withFlag, flagsOf } from "../src/features/admin-flags/state/flag-document";
import { fractionalOf, previewWords, rolloutWords, shares, withFractional } from "../src/features/admin-flags/state/rollout";

const chat = { state: "ENABLED", variants: { default: "default", sse: "sse" }, defaultVariant: "default" };

describe("rollout in words", () => {
  it("says who gets what: everyone, a percentage split, a rule, or off", () => {
    expect(rolloutWords(chat)).toBe("everyone: default");
    expect(rolloutWords({ ...chat, targeting: { fractional: [["sse", 10], ["default", 90]] } })).toBe("sse 10% · default 90%");
    // Weights are relative: 1 and 3 are 25% and 75%; a bucketing expression first is kept aside.
    expect(rolloutWords({ ...chat, targeting: { fractional: [{ var: "email" }, ["sse", 1], ["default", 3]] } })).toBe("sse 25% · default 75%");
    expect(rolloutWords({ ...chat, targeting: { if: [{ "==": [{ var: "name" }, "Ada"] }, "sse", null] } })).toBe("targeting rule; otherwise default");
    expect(rolloutWords({ ...chat, state: "DISABLED" })).toBe("off (the flag is disabled)");
  });

  it("rounds shares to whole percent that add up to 100", () => {
    expect(shares([{ variant: "a", weight: 1 }, { variant: "b", weight: 1 }, { variant: "c", weight: 1 }])).toEqual([34, 33, 33]);
    expect(shares([{ variant: "a", weight: 0 }])).toEqual([0]);
  });

  it("edits the buckets and keeps the bucketing expression", () => {
    const flag = { ...chat, targeting: { fractional: [{ var: "email" }, ["sse", 10], ["default", 90]] } };
    const fractional = fractionalOf(flag);
    expect(fractional?.buckets).toEqual([{ variant: "sse", weight: 10 }, { variant: "default", weight: 90 }]);
    if (!fractional) throw new Error("no fractional");
    expect(withFractional(flag, { ...fractional, buckets: [{ variant: "sse", weight: 50 }, { variant: "default", weight: 50 }] }).targeting).toEqual({
      fractional: [{ var: "email" }, ["sse", 50], ["default", 50]],
    });
  });

  it("words the preview as the issue asks: share of the connected users, and where they go", () => {
    const preview = { flag: "transport.chat", affected: 36, before: { websocket: 300 }, after: { websocket: 264, sse: 36 }, moves: [{ from: "websocket", to: "sse", users: 36 }] };
    expect(previewWords(preview, 300)).toBe("12% of the 300 connected users would change: websocket → sse");
    expect(previewWords({ ...preview, affected: 0, moves: [] }, 300)).toBe("None of the 300 connected users would change.");
    expect(previewWords(preview, 0)).toBe("No users are connected right now: nobody would change at once.");
  });
});

describe("flag document", () => {
  it("finds the flag a validation rule names, JSON-pointer escapes included", () => {
    expect(flagOfRule("/flags/game.tick-hz/variants/a: Too big")).toBe("game.tick-hz");
    expect(flagOfRule("/flags/a~1b/state: must be one of")).toBe("a/b");
    expect(flagOfRule("/: must have required property 'flags'")).toBeNull();
  });

  it("replaces one flag and keeps the rest in order", () => {
    const document = { $schema: "x", flags: { a: chat, b: chat } };
    const next = withFlag(document, "a", { ...chat, defaultVariant: "sse" });
    expect(flagsOf(next).map(([key, flag]) => [key, flag.defaultVariant])).toEqual([["a", "sse"], ["b", "default"]]);
    expect(next.$schema).toBe("x");
  });
});
