import { fc, test as fcTest } from "@fast-check/vitest";
import { createDatabase, type Database } from "@repo/db";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServer, type RealtimeServer } from "../../src/server";
import { chatOnSse, definitionsWith } from "./support";

const USERS = 10_000;
const users = Array.from({ length: USERS }, (_, i) => ({ id: `0197a0c0-0000-7000-8000-${String(i).padStart(12, "0")}` }));

let db: Database;
let server: RealtimeServer;

beforeAll(async () => {
  db = await createDatabase({ pgliteDir: "memory" });
  server = await createServer({ db, logger: { level: "silent" } });
});
afterAll(async () => {
  await server.close();
  await db.close();
});

async function onSse(among = users): Promise<Set<string>> {
  const chosen = new Set<string>();
  for (const user of among) if ((await server.flags.transportFor("chat", user)) === "sse") chosen.add(user.id);
  return chosen;
}

describe("rollouts through the OpenFeature server SDK over flagd-core", () => {
  test(`10% of ${USERS.toLocaleString("en")} users on SSE for chat: 10% ± 1.5%, the same users every time, the rest on the default`, async () => {
    server.flags.store.load(definitionsWith(chatOnSse(10)));
    const first = await onSse();
    expect(first.size / USERS).toBeGreaterThanOrEqual(0.085);
    expect(first.size / USERS).toBeLessThanOrEqual(0.115);
    expect(await onSse()).toEqual(first);
    const others = users.filter((user) => !first.has(user.id)).slice(0, 200);
    for (const user of others) expect(await server.flags.transportFor("chat", user)).toBe("websocket");
    // Notifications have their own flag: untouched.
    for (const user of users.slice(0, 200)) expect(await server.flags.transportFor("notifications", user)).toBe("websocket");
  });

  fcTest.prop([fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 })], { numRuns: 8 })(
    "raising a rollout only adds users: nobody on SSE at p% leaves it at q% ≥ p%",
    async (a, b) => {
      const [low, high] = a <= b ? [a, b] : [b, a];
      server.flags.store.load(definitionsWith(chatOnSse(low)));
      const before = await onSse(users.slice(0, 2000));
      server.flags.store.load(definitionsWith(chatOnSse(high)));
      const after = await onSse(users.slice(0, 2000));
      for (const id of before) expect(after.has(id)).toBe(true);
    },
    60_000,
  );

  test("targeting by attribute: names starting with 'Beta' get SSE, everyone else the default", async () => {
    server.flags.store.load(
      definitionsWith({
        "transport.chat": {
          state: "ENABLED",
          variants: { default: "default", sse: "sse" },
          defaultVariant: "default",
          targeting: { if: [{ starts_with: [{ var: "name" }, "Beta"] }, "sse", "default"] },
        },
      }),
    );
    expect(await server.flags.transportFor("chat", { id: users[0]!.id, name: "Beta Ada" })).toBe("sse");
    expect(await server.flags.transportFor("chat", { id: users[0]!.id, name: "Ada" })).toBe("websocket");
  });

  test("a feature's flag that says default follows transport.default", async () => {
    server.flags.store.load(definitionsWith({ "transport.default": { state: "ENABLED", variants: { lp: "long-polling" }, defaultVariant: "lp" } }));
    expect(await server.flags.transportFor("game", users[1]!)).toBe("long-polling");
  });

  test("evaluations and changes are counted in /metrics by the OpenFeature hook", async () => {
    const text = await server.metrics.registry.metrics();
    expect(text).toMatch(/switchboard_flag_evaluations_total\{flag="transport\.chat",reason="(SPLIT|TARGETING_MATCH)"\} [1-9]/);
    expect(text).toMatch(/switchboard_flag_changes_total [1-9]/);
  });
});
