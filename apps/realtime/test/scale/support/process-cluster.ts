import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { postgresEngine, type Engine } from "@repo/db/testing";
import { startNginx, type RunningNginx } from "@repo/nginx";
import { createRedisConnection } from "../../../src/hub/redis/redis-connection";
import { waitFor } from "../../sdk/support/server";
import { startService, type SpawnedService } from "../../support/spawn-service";
import { startTcpProxy, type TcpProxy } from "../../support/tcp-proxy";
import { REDIS_URL } from "./redis-instances";

/**
 * Real service processes (src/index.ts under tsx) on one PostgreSQL database
 * and one Redis (a key prefix of their own), behind one real nginx that spreads
 * requests over them round-robin with no stickiness: a deployment in miniature,
 * whose instances a test can SIGKILL.
 */
export interface ProcessCluster {
  /** Where clients connect: nginx. */
  url: string;
  /** Each instance's own address (for its /metrics), by index. */
  direct: string[];
  keyPrefix: string;
  /** `kill -9` instance `index`: no drain, no goodbye, its sockets reset by the kernel. */
  kill(index: number): Promise<void>;
  /** A network cut between instance `index` and Redis (it must have been started behind a proxy: `redisProxied`), and its end. */
  cutRedis(index: number): void;
  restoreRedis(index: number): void;
  /** Whether the instance's process is still the one started (never restarted, never crashed). */
  alive(index: number): boolean;
  /** The value of one series on an instance's /metrics (0 when the series is absent). */
  gauge(index: number, series: string): Promise<number>;
  stop(): Promise<void>;
}

/** Limits out of the way: every test client connects from 127.0.0.1 through one nginx. */
const RELAXED_ENV = {
  NODE_ENV: "test",
  LOG_LEVEL: "info",
  PGLITE_DIR: undefined,
  RATE_LIMIT_SESSION: "off",
  RATE_LIMIT_SESSION_GLOBAL: "off",
  RATE_LIMIT_TICKET: "off",
  RATE_LIMIT_POLL: "off",
  RATE_LIMIT_SUBSCRIBE: "off",
  COMMAND_RATE_POINTS: "1000000",
  COMMAND_REQUEST_RATE_POINTS: "1000000",
  MAX_CONNECTIONS_PER_USER: "1000",
  MAX_CONNECTIONS_PER_IP: "10000",
  LONG_POLL_TIMEOUT_MS: "2000",
  LONG_POLL_LINGER_MS: "10",
  SSE_HEARTBEAT_MS: "1000",
  PURGE_INTERVAL_MS: "0",
  SHUTDOWN_GRACE_MS: "1000",
} as const;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startProcessCluster(options: { instances: number; redisProxied?: number[] }): Promise<ProcessCluster> {
  const keyPrefix = `sb-test-${randomUUID().slice(0, 8)}:`;
  // A fresh database, migrated once here: the instances then start without racing on migrations.
  const engine: Engine = await postgresEngine();
  await (await engine.open()).close();
  const ports = await Promise.all(Array.from({ length: options.instances }, () => freePort()));
  const env = { ...RELAXED_ENV, DATABASE_URL: engine.url, REDIS_URL, REDIS_KEY_PREFIX: keyPrefix };
  const redis = new URL(REDIS_URL);
  const proxies = new Map<number, TcpProxy>();
  for (const index of options.redisProxied ?? []) proxies.set(index, await startTcpProxy(Number(redis.port || 6379), redis.hostname));
  const redisUrlOf = (index: number) => {
    const proxy = proxies.get(index);
    if (!proxy) return REDIS_URL;
    const url = new URL(REDIS_URL);
    url.host = `127.0.0.1:${proxy.port}`;
    return url.toString();
  };
  const services: SpawnedService[] = ports.map((port, index) => startService({ env: { ...env, PORT: String(port), REDIS_URL: redisUrlOf(index) } }));
  let nginx: RunningNginx | undefined;
  try {
    const direct = await Promise.all(services.map((service) => service.baseUrl));
    nginx = await startNginx({ upstream: direct, config: "plain" });
  } catch (error) {
    for (const service of services) service.child.kill("SIGKILL");
    for (const proxy of proxies.values()) await proxy.close();
    await engine.teardown();
    throw error;
  }
  const direct = ports.map((port) => `http://127.0.0.1:${port}`);
  const proxyOf = (index: number) => {
    const proxy = proxies.get(index);
    if (!proxy) throw new Error(`instance ${index} was not started with its Redis behind a proxy (redisProxied)`);
    return proxy;
  };
  return {
    url: nginx.url,
    direct,
    keyPrefix,
    async kill(index) {
      const service = services[index]!;
      service.child.kill("SIGKILL");
      await service.exited;
    },
    cutRedis: (index) => proxyOf(index).cut(),
    restoreRedis: (index) => proxyOf(index).restore(),
    alive: (index) => services[index]!.child.exitCode === null && services[index]!.child.signalCode === null,
    async gauge(index, series) {
      const text = await (await fetch(`${direct[index]}/metrics`)).text();
      const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
      return line ? Number(line.slice(series.length + 1)) : 0;
    },
    async stop() {
      await nginx?.stop();
      for (const service of services) {
        if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill("SIGTERM");
      }
      await Promise.all(services.map((service) => service.exited));
      for (const proxy of proxies.values()) await proxy.close();
      const admin = createRedisConnection(REDIS_URL, "cluster-cleanup");
      await waitFor(() => admin.status === "ready", "Redis");
      const keys = await admin.keys(`${keyPrefix}*`);
      if (keys.length > 0) await admin.del(...keys);
      admin.disconnect();
      await engine.teardown();
    },
  };
}
