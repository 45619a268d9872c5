import { createDatabase } from "@repo/db";
import { createServer, type ServerDeps } from "@repo/realtime";
import { BENCH_EVENT_TYPE, BENCH_TOPIC, type BenchPayload } from "../message";
import type { BenchServer } from "./types";

type Feature = NonNullable<ServerDeps["features"]>[number];

/** The one topic the bench needs: `system:bench`, readable by anyone signed in. */
const benchFeature: Feature = {
  name: "bench",
  topics: { system: (_user, id) => `system:${id}` === BENCH_TOPIC },
};

function relaxedAddressLimits() {
  const plenty = [{ points: 1_000_000_000, windowSeconds: 1 }];
  return { session: plenty, "session:global": plenty, ticket: plenty, poll: plenty, subscribe: plenty, room: plenty, "room:global": plenty };
}

/**
 * The real Switchboard service (createServer from apps/realtime) on an
 * in-memory PGlite database, with everything on: auth, origin policy, metrics,
 * slow-consumer sweeps (per-address rate limits raised out of reach). Only the feature list is the bench's own, and request
 * logging is at `logLevel` (warn by default: info writes two lines per poll).
 */
export async function startSwitchboard(options: { logLevel: string }): Promise<BenchServer> {
  const db = await createDatabase({ pgliteDir: "memory" });
  const server = await createServer({
    db,
    logger: { level: options.logLevel },
    features: [benchFeature],
    // One loopback address plays every subscriber: per-address limits would measure themselves.
    config: { addressLimits: relaxedAddressLimits() },
  });
  const url = await server.listen({ port: 0, host: "127.0.0.1" });
  return {
    url,
    publish(_seq: number, payload: BenchPayload) {
      void server.hub.publish(BENCH_TOPIC, BENCH_EVENT_TYPE, payload);
    },
    connections: () =>
      new Promise((resolve, reject) => server.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count)))),
    async close() {
      await server.close();
      await db.close();
    },
  };
}
