import { followTransportFlag } from "@repo/client";
import { saveFlagDefinitions } from "@repo/db";
import { OFREP_PATHS, OfrepBulkResponse, TRANSPORT_NAMES, flagsAdminPaths, type TransportName } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { defaultFeatures, flagsFeature } from "../../src/features/index";
import { changedFlagKeys, etagOf } from "../../src/flags/flag-store";
import { signIn, sleep, testClient, transports, waitFor, type TestServer } from "../sdk/support/server";
import { definitionsWith } from "../flags/support";
import { redisInstances, type RedisInstances } from "./support/redis-instances";

// Two instances on one Redis and one database. A flag change saved on A (admin PUT or undo) is
// announced on the cluster bus, and B reloads at once: its OFREP answers and its connected
// clients follow within a few hundred ms. Both instances' safety-net polls are set to an hour,
// so nothing but the bus can explain the follow; the last test shows that a change saved
// without the announcement is indeed not followed meanwhile.
const OPERATOR_TOKEN = "operator-token-for-redis-flag-tests-0123";
const BEARER = { authorization: `Bearer ${OPERATOR_TOKEN}` };
const AN_HOUR = 3_600_000;
/**
 * From sending the PUT to B (or B's client) following it, the PUT's own work on A included.
 * Measured: ~100 ms on a quiet machine, up to ~1 s with other test files beside it (see the log
 * lines); far below the 15 s safety-net poll, and the polls here are an hour.
 */
const FOLLOW_BOUND_MS = 2_500;

let instances: RedisInstances;
let a: TestServer;
let b: TestServer;
const follows: Record<"ofrep" | "client", number[]> = { ofrep: [], client: [] };

/** The default features, with flag administration on and the safety-net polls out of the way. */
function features() {
  const flags = flagsFeature({ operatorToken: OPERATOR_TOKEN, syncIntervalMs: AN_HOUR, clusterSyncIntervalMs: AN_HOUR });
  return [...defaultFeatures({ operatorToken: OPERATOR_TOKEN }).filter((feature) => feature.name !== "flags"), flags];
}

beforeAll(async () => {
  instances = await redisInstances();
  a = await instances.start("flags-a", { operatorToken: OPERATOR_TOKEN }, { features: features() });
  b = await instances.start("flags-b", { operatorToken: OPERATOR_TOKEN }, { features: features() });
});
afterAll(async () => {
  await instances?.stop();
  for (const [what, took] of Object.entries(follows)) {
    const sorted = [...took].sort((x, y) => x - y);
    if (sorted.length === 0) continue;
    const p50 = sorted[Math.floor((sorted.length - 1) / 2)];
    console.info(`redis-flags: A saved → B's ${what} followed in p50 ${p50} ms / max ${sorted.at(-1)} ms (${sorted.length} changes)`);
  }
});

function chatOn(transport: TransportName): string {
  const variants: Record<string, string> = { default: "default" };
  for (const name of TRANSPORT_NAMES) variants[name] = name;
  return definitionsWith({ "transport.chat": { state: "ENABLED", variants, defaultVariant: transport } });
}

/** An admin call on A, with the etag A has in force. */
async function adminOnA(method: "PUT" | "POST", path: string, body: unknown) {
  const response = await fetch(`${a.baseUrl}${path}`, {
    method,
    headers: { ...BEARER, "content-type": "application/json", "if-match": `"${a.server.flags.store.etag}"` },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

async function putOnA(definitions: string, reason: string) {
  await adminOnA("PUT", flagsAdminPaths.flags, { definitions: JSON.parse(definitions) as unknown, reason });
}

/** `transport.chat` for `token`'s user, as B's OFREP bulk evaluation answers it. */
async function chatOnB({ token, user }: { token: string; user: { id: string } }): Promise<unknown> {
  const response = await fetch(`${b.baseUrl}${OFREP_PATHS.bulk}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ context: { targetingKey: user.id } }),
  });
  const answer = OfrepBulkResponse.parse(await response.json());
  const flag = answer.flags.find((entry) => entry.key === "transport.chat");
  return flag && "value" in flag ? flag.value : undefined;
}

/** Waits for `condition` and returns how long it took since `from`. */
async function timeUntil(kind: keyof typeof follows, from: number, condition: () => boolean | Promise<boolean>, what: string): Promise<number> {
  await waitFor(condition, what, 5_000);
  const took = Date.now() - from;
  follows[kind].push(took);
  return took;
}

describe("flag changes over the cluster bus", () => {
  test("a PUT on A, then its undo: B's OFREP answers follow each at once (the polls are an hour)", async () => {
    const ada = await signIn(b.baseUrl, "Ada");
    expect(await chatOnB(ada)).toBe("default");

    const putAt = Date.now();
    await putOnA(chatOn("long-polling"), "everyone's chat on long polling");
    const put = await timeUntil("ofrep", putAt, async () => (await chatOnB(ada)) === "long-polling", "B to follow the PUT");
    expect(b.server.flags.store.etag).toBe(a.server.flags.store.etag);

    const undoAt = Date.now();
    await adminOnA("POST", flagsAdminPaths.undo, { reason: "back" });
    const undo = await timeUntil("ofrep", undoAt, async () => (await chatOnB(ada)) === "default", "B to follow the undo");
    expect(b.server.flags.store.etag).toBe(a.server.flags.store.etag);
    expect(put).toBeLessThan(FOLLOW_BOUND_MS);
    expect(undo).toBeLessThan(FOLLOW_BOUND_MS);
  });

  test.each(transports)("a client connected to B on $name switches when A saves a change for it", async ({ name, options }) => {
    await putOnA(chatOn(name), `chat on ${name}`);
    await waitFor(() => b.server.flags.store.etag === a.server.flags.store.etag, "B on the starting definitions", 5_000);
    const ada = await signIn(b.baseUrl, "Ada");
    const client = testClient(b.baseUrl, ada.token, name, options);
    const switches: Array<{ from: string; to: string }> = [];
    const stop = followTransportFlag(client, { flag: "transport.chat", userId: ada.user.id, spreadMs: 0, onSwitch: (change) => switches.push(change) });
    try {
      await client.whenOpen();
      await sleep(100); // the first evaluation (no switch: already on `name`)
      const to: TransportName = name === "sse" ? "websocket" : "sse";
      const savedAt = Date.now();
      await putOnA(chatOn(to), `chat on ${to}`);
      const took = await timeUntil("client", savedAt, () => client.transportInUse === to && client.status === "open", `the switch to ${to}`);
      expect(switches).toEqual([{ from: name, to }]);
      expect(took).toBeLessThan(FOLLOW_BOUND_MS);
    } finally {
      stop();
      client.close();
    }
  });

  test("a change saved without the announcement is not followed meanwhile: the bus did the above", async () => {
    const before = a.server.flags.store.definitions;
    const definitions = chatOn("polling");
    const saved = await saveFlagDefinitions(instances.db.prisma, {
      definitions,
      etag: etagOf(definitions),
      expectedEtag: a.server.flags.store.etag,
      actor: "test (no announcement)",
      reason: "written straight to the database",
      before,
      flagsChanged: changedFlagKeys(before, definitions),
    });
    expect(saved).toBe("saved");
    await sleep(1_500); // longer than the old 1 s poll
    expect(b.server.flags.store.etag).toBe(etagOf(before));
    expect(a.server.flags.store.etag).toBe(etagOf(before));
  });
});
