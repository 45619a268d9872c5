import { randomUUID } from "node:crypto";
import type { RealtimeClient } from "@repo/client";
import { IN_CI, probePostgres } from "@repo/db/testing";
import { nginxAvailable } from "@repo/nginx";
import { HTTP_PATHS, ReadyResponse, echoTopic } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { range, signIn, sleep, testClient, transports, waitFor } from "../sdk/support/server";
import { HOLDING, openOn, openSubscribers, summary, type Subscriber } from "./support/cluster-subscribers";
import { startProcessCluster, type ProcessCluster } from "./support/process-cluster";

// Two real service processes behind a real nginx, on one PostgreSQL and one Redis; instance 0
// reaches Redis through a TCP proxy the test cuts for 10 s (issue #12) while subscribers on every
// transport read numbered echoes through nginx and a publisher keeps sending through nginx. During
// the cut instance 0 stays up, its /readyz fails naming Redis and its commands get a typed
// `unavailable`; afterwards it delivers again without a restart, and every subscriber has every
// number exactly once, in order, with no reset and no silent gap.
const unreachable = await probePostgres();
if (unreachable && IN_CI) throw new Error(unreachable);
const skip = unreachable ?? (nginxAvailable() ? null : "no nginx at /usr/sbin/nginx (scripts/ensure-nginx.sh)");
if (skip) console.warn(`Skipping the instance Redis-cut test: ${skip}`);

const SIZES = { perTransport: 2, maxPerTransport: 6 };
const CUT_MS = Number(process.env.REDIS_CUT_MS ?? 10_000);
const BEFORE_CUT_MS = 1_500;
const AFTER_CUT_MS = 1_500;
const PUBLISH_EVERY_MS = 50;
/** Restore → every subscriber has every number published before it (measured: see the log line). */
const CATCH_UP_BOUND_MS = 5_000;

interface Outcome {
  subscribers: Subscriber[];
  total: number;
  /** The last number published before the restore, and when the restore happened. */
  lastBeforeRestore: number;
  restoredAt: number;
  onCut: Record<string, number>;
  during: { ready: { status: number; body: unknown }; command: { status: number; body: unknown } };
  after: { ready: number; alive: boolean };
  resends: number;
}

describe.skipIf(skip !== null)("a network cut between one of two instances and Redis, behind nginx", () => {
  let cluster: ProcessCluster;
  let outcome: Outcome;
  const clients: RealtimeClient[] = [];
  const started = Date.now();

  beforeAll(async () => {
    cluster = await startProcessCluster({ instances: 2, redisProxied: [0] });
    const session = await signIn(cluster.url, "Cut");
    const subscribers = await openSubscribers(cluster, session.token, echoTopic(session.user.id), SIZES);
    clients.push(...subscribers.map((s) => s.client));
    const publisher = testClient(cluster.url, session.token, "polling");
    clients.push(publisher);
    const direct = cluster.direct[0]!;

    let resends = 0;
    /** What an application does with a refused command: send it again, same id, until it is answered. */
    async function publish(n: number) {
      const id = randomUUID();
      for (let attempt = 0; ; attempt++) {
        try {
          await publisher.send({ id, type: "echo", payload: { text: String(n) } });
          return;
        } catch (error) {
          if (attempt >= 100) throw error;
          resends++;
          await sleep(PUBLISH_EVERY_MS);
        }
      }
    }

    let n = 0;
    const publishUntil = async (until: number) => {
      while (Date.now() < until) {
        await publish(++n);
        await sleep(PUBLISH_EVERY_MS);
      }
    };
    await publishUntil(Date.now() + BEFORE_CUT_MS);
    const onCut: Record<string, number> = {};
    for (const t of HOLDING) onCut[t] = await openOn(cluster, 0, t);
    cluster.cutRedis(0);
    const cutAt = Date.now();
    // Instance 0 while cut, asked directly (nginx would hand the command to either).
    const probe = (async () => {
      await sleep(1_100); // past the readiness cache
      const ready = await fetch(`${direct}${HTTP_PATHS.ready}`);
      const command = await fetch(`${direct}${HTTP_PATHS.commands}`, {
        method: "POST",
        headers: { authorization: `Bearer ${session.token}`, "content-type": "application/json" },
        body: JSON.stringify({ id: randomUUID(), type: "echo", payload: { text: "during the cut" } }),
      });
      return {
        ready: { status: ready.status, body: await ready.json() },
        command: { status: command.status, body: await command.json() },
      };
    })();
    await publishUntil(cutAt + CUT_MS);
    const lastBeforeRestore = n;
    cluster.restoreRedis(0);
    const restoredAt = Date.now();
    await publishUntil(restoredAt + AFTER_CUT_MS);
    const total = n;

    await waitFor(
      () => subscribers.every((s) => s.numbers.length >= total),
      `every subscriber to get ${total} (${subscribers.map((s) => `${s.transport}:${s.numbers.length}`).join(", ")})`,
      20_000,
    );
    await sleep(200); // room for a duplicate to show up
    let readyAfter = 0;
    await waitFor(async () => (readyAfter = (await fetch(`${direct}${HTTP_PATHS.ready}`)).status) === 200, "instance 0's /readyz to recover", 10_000).catch(() => {});
    outcome = { subscribers, total, lastBeforeRestore, restoredAt, onCut, during: await probe, after: { ready: readyAfter, alive: cluster.alive(0) }, resends };
    console.info(
      `instance-redis-cut: ${CUT_MS} ms cut of instance 0 holding ${JSON.stringify(onCut)}; ${total} numbers, ${resends} publisher resends; ` +
        `catch-up after the restore (ms): ${summary(subscribers.map((s) => catchUpMs(s, outcome)))}; by transport: ` +
        transports.map(({ name }) => `${name} ${summary(subscribers.filter((s) => s.transport === name).map((s) => catchUpMs(s, outcome)))}`).join(", "),
    );
  }, 90_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await cluster?.stop();
    console.info(`instance-redis-cut: file wall time ${Date.now() - started} ms`);
  }, 30_000);

  test("during the cut the instance stays up: /readyz 503 naming Redis, commands a typed unavailable; afterwards ready again, same process", () => {
    expect(outcome.onCut.sse! + outcome.onCut.websocket!).toBeGreaterThan(0);
    expect(outcome.during.ready.status).toBe(503);
    expect(ReadyResponse.parse(outcome.during.ready.body)).toMatchObject({ status: "unavailable", redis: "down", database: "ok" });
    expect(outcome.during.command.status).toBe(503);
    expect(outcome.during.command.body).toMatchObject({ ok: false, error: { code: "unavailable" } });
    expect(outcome.after).toEqual({ ready: 200, alive: true });
  });

  test.each(transports)("$name: every number exactly once, in order, no reset, caught up soon after the restore", ({ name }) => {
    const mine = outcome.subscribers.filter((s) => s.transport === name);
    expect(mine.length).toBeGreaterThanOrEqual(SIZES.perTransport);
    for (const subscriber of mine) {
      expect(subscriber.numbers).toEqual(range(0, outcome.total));
      expect(subscriber.offsets).toEqual(range(subscriber.offsets[0]! - 1, outcome.total));
      expect(subscriber.resets).toBe(0);
      expect(catchUpMs(subscriber, outcome)).toBeLessThan(CATCH_UP_BOUND_MS);
    }
  });
});

/** Restore → the arrival of the last number published before it (0 when it was already there). */
function catchUpMs(subscriber: Subscriber, outcome: Pick<Outcome, "lastBeforeRestore" | "restoredAt">): number {
  const index = subscriber.numbers.indexOf(outcome.lastBeforeRestore);
  if (index === -1) return Number.POSITIVE_INFINITY;
  return Math.max(0, subscriber.arrivals[index]! - outcome.restoredAt);
}
