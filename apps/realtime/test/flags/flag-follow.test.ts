import { followTransportFlag, type FetchLike, type RealtimeClient } from "@repo/client";
import { FLAGS_EVENTS, FLAGS_SPREAD_MAX_MS, FLAGS_TOPIC, OFREP_PATHS, TRANSPORT_NAMES, type TransportName } from "@repo/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { changeSpreadMs } from "../../src/features/flags/change-spread";
import { readFlagDefinitions } from "../../src/flags/flag-definitions";
import { signIn, sleep, startTestServer, testClient, transports, waitFor, type TestServer } from "../sdk/support/server";
import { definitionsWith } from "./support";

// followTransportFlag against the real service: one bulk OFREP request per evaluation (304 when the
// user's answer did not change), a random spread before evaluating a change, bounded full-jitter
// retries after a failure, and an answer overtaken by a newer change ignored. The only stand-in is
// a fetch wrapper that counts the evaluation requests and, where a test says so, fails or delays one.

let service: TestServer;
beforeAll(async () => {
  service = await startTestServer();
});
afterAll(() => service.stop());
afterEach(() => {
  service.server.flags.store.load(readFlagDefinitions());
});

/** `transport.chat` on `transport`; `extra` adds an unused variant (a change that alters nobody's answer). */
function chatOn(transport: TransportName, extra?: string): string {
  const variants: Record<string, string> = { default: "default" };
  for (const name of TRANSPORT_NAMES) variants[name] = name;
  if (extra) variants[extra] = "websocket";
  return definitionsWith({ "transport.chat": { state: "ENABLED", variants, defaultVariant: transport } });
}

interface Evaluation {
  at: number;
  path: string;
  status: number | "failed";
  ifNoneMatch: string | null;
}

/** A fetch that records every OFREP evaluation; `plan` may fail (throw like a network error) or delay the n-th. */
function evaluationFetch(plan: { fail?: (n: number) => boolean; delayMs?: (n: number) => number } = {}) {
  const evaluations: Evaluation[] = [];
  const fetch: FetchLike = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!new URL(url).pathname.startsWith(OFREP_PATHS.bulk)) return globalThis.fetch(input, init);
    const n = evaluations.length;
    const headers = new Headers(init?.headers);
    const entry: Evaluation = { at: Date.now(), path: new URL(url).pathname, status: "failed", ifNoneMatch: headers.get("if-none-match") };
    evaluations.push(entry);
    const delay = plan.delayMs?.(n) ?? 0;
    if (delay > 0) await sleep(delay);
    if (plan.fail?.(n)) throw new TypeError("fetch failed");
    const response = await globalThis.fetch(input, init);
    entry.status = response.status;
    return response;
  };
  return { fetch, evaluations };
}

async function follower(transport: TransportName, fetch: FetchLike, options: Partial<Parameters<typeof followTransportFlag>[1]> = {}) {
  const ada = await signIn(service.baseUrl, `Ada ${transport}`);
  const row = transports.find((entry) => entry.name === transport)!;
  const client: RealtimeClient = testClient(service.baseUrl, ada.token, transport, { ...row.options, fetch });
  const switches: Array<{ from: string; to: string }> = [];
  const errors: unknown[] = [];
  const stop = followTransportFlag(client, {
    flag: "transport.chat",
    userId: ada.user.id,
    onSwitch: (change) => switches.push(change),
    onError: (error) => errors.push(error),
    ...options,
  });
  await client.whenOpen();
  return {
    client,
    switches,
    errors,
    close() {
      stop();
      client.close();
    },
  };
}

const otherThan = (transport: TransportName): TransportName => (transport === "sse" ? "websocket" : "sse");

describe.each(transports)("followTransportFlag on $name", ({ name }) => {
  test("one bulk request per evaluation, never the single-flag endpoint; an unchanged answer is a 304", async () => {
    service.server.flags.store.load(chatOn(name));
    const { fetch, evaluations } = evaluationFetch();
    const f = await follower(name, fetch, { spreadMs: 0 });
    try {
      await waitFor(() => evaluations.length === 1 && evaluations[0]!.status === 200, "the first evaluation");
      expect(evaluations[0]!.path).toBe(OFREP_PATHS.bulk);

      // transport.chat changes, but not for this user: one conditional request, answered 304.
      service.server.flags.store.load(chatOn(name, "unused"));
      await waitFor(() => evaluations.length === 2 && evaluations[1]!.status !== "failed", "the evaluation of the change");
      expect(evaluations[1]!.ifNoneMatch).toMatch(/^".+"$/);
      expect(evaluations[1]!.status).toBe(304);
      expect(f.switches).toEqual([]);

      // A real change: one request, one switch.
      const to = otherThan(name);
      service.server.flags.store.load(chatOn(to));
      await waitFor(() => f.client.transportInUse === to && f.client.status === "open", `the switch to ${to}`);
      await sleep(200);
      expect(evaluations.map((entry) => entry.status)).toEqual([200, 304, 200]);
      expect(evaluations.every((entry) => entry.path === OFREP_PATHS.bulk)).toBe(true);
      expect(f.switches).toEqual([{ from: name, to }]);
      expect(f.errors).toEqual([]);
    } finally {
      f.close();
    }
  });

  test("a failed evaluation is retried with backoff until it succeeds, and the switch happens", async () => {
    service.server.flags.store.load(chatOn(name));
    // The first evaluation (at start) succeeds; the change's first two fail.
    const { fetch, evaluations } = evaluationFetch({ fail: (n) => n === 1 || n === 2 });
    const f = await follower(name, fetch, { spreadMs: 0, retryBackoff: { baseMs: 50, maxMs: 200 } });
    try {
      await waitFor(() => evaluations.length === 1, "the first evaluation");
      const to = otherThan(name);
      service.server.flags.store.load(chatOn(to));
      await waitFor(() => f.client.transportInUse === to && f.client.status === "open", `the switch to ${to} after two failures`);
      expect(evaluations.map((entry) => entry.status)).toEqual([200, "failed", "failed", 200]);
      expect(f.errors).toHaveLength(2);
      expect(f.switches).toEqual([{ from: name, to }]);
    } finally {
      f.close();
    }
  });

  test("retries are bounded: an evaluation that keeps failing is tried 1 + retries times, then left for the next change", async () => {
    service.server.flags.store.load(chatOn(name));
    const { fetch, evaluations } = evaluationFetch({ fail: (n) => n >= 1 });
    const f = await follower(name, fetch, { spreadMs: 0, retries: 3, retryBackoff: { baseMs: 20, maxMs: 40 } });
    try {
      await waitFor(() => evaluations.length === 1, "the first evaluation");
      service.server.flags.store.load(chatOn(otherThan(name)));
      await waitFor(() => evaluations.length === 5, "four attempts");
      await sleep(500);
      expect(evaluations).toHaveLength(5);
      expect(f.errors).toHaveLength(4);
      expect(f.client.transportInUse).toBe(name);
    } finally {
      f.close();
    }
  });
});

test("a change is evaluated after a random spread within spreadMs, not at once", async () => {
  service.server.flags.store.load(chatOn("websocket"));
  const { fetch, evaluations } = evaluationFetch();
  // random() = 0.5 for the spread: 400 ms of an 800 ms window.
  const f = await follower("websocket", fetch, { spreadMs: 800, random: () => 0.5 });
  try {
    await waitFor(() => evaluations.length === 1, "the first evaluation (at once, no spread)");
    const changedAt = Date.now();
    service.server.flags.store.load(chatOn("sse"));
    await waitFor(() => evaluations.length === 2, "the change's evaluation");
    const waited = evaluations[1]!.at - changedAt;
    expect(waited).toBeGreaterThanOrEqual(390);
    expect(waited).toBeLessThan(800);
    await waitFor(() => f.client.transportInUse === "sse" && f.client.status === "open", "the switch to sse");
  } finally {
    f.close();
  }
});

test("a change that announces a wider spread (the server's, sized to its audience) is evaluated within it", async () => {
  // The announcement: none for a small audience, about one re-evaluation per ms for a crowd, capped.
  expect(changeSpreadMs(1)).toBeUndefined();
  expect(changeSpreadMs(300)).toBeUndefined();
  expect(changeSpreadMs(1000)).toBe(1000);
  expect(changeSpreadMs(50_000)).toBe(FLAGS_SPREAD_MAX_MS);

  service.server.flags.store.load(chatOn("websocket"));
  const { fetch, evaluations } = evaluationFetch();
  // Its own spread is 0; random() = 0.5 of the announced 1,200 ms: 600 ms.
  const f = await follower("websocket", fetch, { spreadMs: 0, random: () => 0.5 });
  try {
    await waitFor(() => evaluations.length === 1, "the first evaluation");
    const announcedAt = Date.now();
    await service.server.hub.publish(FLAGS_TOPIC, FLAGS_EVENTS.changed, { etag: "crowd", flagsChanged: ["transport.chat"], spreadMs: 1200 });
    await waitFor(() => evaluations.length === 2, "the announced change's evaluation");
    const waited = evaluations[1]!.at - announcedAt;
    expect(waited).toBeGreaterThanOrEqual(590);
    expect(waited).toBeLessThan(1200);
  } finally {
    f.close();
  }
});

test("an answer overtaken by a newer change is ignored: the client ends where the newest change says", async () => {
  service.server.flags.store.load(chatOn("websocket"));
  // The second evaluation (the first change's) is slow; the third (the second change's) is not.
  const { fetch, evaluations } = evaluationFetch({ delayMs: (n) => (n === 1 ? 600 : 0) });
  const f = await follower("websocket", fetch, { spreadMs: 0 });
  try {
    await waitFor(() => evaluations.length === 1, "the first evaluation");
    service.server.flags.store.load(chatOn("sse"));
    await waitFor(() => evaluations.length === 2, "the first change's evaluation");
    service.server.flags.store.load(chatOn("long-polling"));
    await waitFor(() => f.client.transportInUse === "long-polling" && f.client.status === "open", "the switch to long-polling");
    // The slow answer lands after the newer one; it must not move the client.
    await waitFor(() => evaluations[1]!.status !== "failed", "the slow answer");
    await sleep(300);
    expect(f.client.transportInUse).toBe("long-polling");
    expect(f.switches).toEqual([{ from: "websocket", to: "long-polling" }]);
  } finally {
    f.close();
  }
});
