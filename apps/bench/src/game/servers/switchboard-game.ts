import { createDatabase } from "@repo/db";
import { createServer, type RealtimeServer } from "@repo/realtime";
import { defaultFeatures, gameFeature } from "@repo/realtime/features";
import { BENCH_ROW_CONFIG } from "../../servers/switchboard-config";
import type { LatenessHistogram } from "../lateness";
import type { GameCounts, GameServerHandle } from "./game-server";

const LATENESS_METRIC = "switchboard_game_tick_lateness_seconds";
const GAMES_METRIC = "switchboard_games";

/** A metric's values as prom-client's `get()` hands them out (buckets carry `le`, gauges their labels). */
interface MetricValue {
  value: number;
  labels: Record<string, string | number | undefined>;
  metricName?: string;
}

async function metricValues(server: RealtimeServer, name: string): Promise<MetricValue[]> {
  const metric = server.metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`the service has no ${name} metric (is the game feature on?)`);
  return (await metric.get()).values;
}

/** The service's lateness histogram (seconds) as a LatenessHistogram in ms. */
async function readLateness(server: RealtimeServer): Promise<LatenessHistogram> {
  const values = await metricValues(server, LATENESS_METRIC);
  const buckets = values
    .filter((entry) => entry.metricName === `${LATENESS_METRIC}_bucket` && entry.labels.le !== "+Inf")
    .map((entry) => ({ boundMs: Number(entry.labels.le) * 1000, count: entry.value }))
    .sort((a, b) => a.boundMs - b.boundMs);
  const total = values.find((entry) => entry.metricName === `${LATENESS_METRIC}_count`)?.value ?? 0;
  const sum = values.find((entry) => entry.metricName === `${LATENESS_METRIC}_sum`)?.value ?? 0;
  // Bounds in ms, rounded: 0.001 s × 1000 is 1.0000000000000002 in floating point.
  return { boundsMs: buckets.map((b) => Math.round(b.boundMs * 1000) / 1000), counts: buckets.map((b) => b.count), count: total, sumMs: sum * 1000 };
}

async function readGames(server: RealtimeServer): Promise<GameCounts> {
  const counts: GameCounts = { waiting: 0, playing: 0, finished: 0 };
  for (const entry of await metricValues(server, GAMES_METRIC)) {
    const status = entry.labels.status;
    if (status === "waiting" || status === "playing" || status === "finished") counts[status] = entry.value;
  }
  return counts;
}

/**
 * The real service (createServer from apps/realtime) on an in-memory PGlite
 * database with its default features, the game included. Two changes, both
 * set-up rather than what is measured: the bench's generous per-address limits
 * (every client signs in and connects from 127.0.0.1) and a game cap
 * (`maxGames`, 200 by default) above the capacity ramp's largest step, so the
 * ramp finds where ticks go late, not where the cap refuses.
 */
export async function startSwitchboardGames(options: { logLevel: string; maxGames: number }): Promise<GameServerHandle> {
  const db = await createDatabase({ pgliteDir: "memory" });
  const features = defaultFeatures(BENCH_ROW_CONFIG).map((feature) => (feature.name === "game" ? gameFeature({ maxGames: options.maxGames }) : feature));
  const server = await createServer({ db, config: BENCH_ROW_CONFIG, logger: { level: options.logLevel }, features });
  const url = await server.listen({ port: 0, host: "127.0.0.1" });
  return {
    url,
    lateness: () => readLateness(server),
    games: () => readGames(server),
    async close() {
      await server.close();
      await db.close();
    },
  };
}
