// Entry point: the only file that reads env, opens the database and listens.
import { createDatabase, type Database } from "@repo/db";
import type { Redis } from "ioredis";
import pino from "pino";
import { configFromEnv } from "./config";
import { DEV_SESSION_SECRET, readEnv, type Env } from "./env";
import { connectRedis, redactedRedisUrl } from "./hub/redis/redis-connection";
import { loggerOptions } from "./observability/logger";
import { createServer, type RealtimeServer } from "./server";

let env: Env;
try {
  env = readEnv();
} catch (error) {
  // A configuration mistake is not a crash: say what is wrong, without a stack trace.
  console.error((error as Error).message);
  process.exit(1);
}
const logger = pino(loggerOptions(env.LOG_LEVEL));
if (env.SESSION_SECRET === DEV_SESSION_SECRET) {
  logger.warn(`SESSION_SECRET is not set: using the public development secret (NODE_ENV=${env.NODE_ENV}). Never do this in production.`);
}

/** Filled in as startup proceeds; shutdown may come at any point of it. */
const running: { db?: Database; redis?: Redis; server?: RealtimeServer } = {};
let stopping = false;
async function shutdown(reason: string, exitCode: 0 | 1) {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, "shutting down: refusing new work, draining");
  // close() gives in-flight requests SHUTDOWN_GRACE_MS; this is the backstop if even that hangs.
  const force = setTimeout(() => {
    logger.error("drain took too long, exiting");
    process.exit(1);
  }, env.SHUTDOWN_GRACE_MS + 2000);
  force.unref();
  try {
    await running.server?.close();
    await running.db?.close();
    running.redis?.disconnect();
    logger.info("shutdown complete");
    process.exit(exitCode);
  } catch (error) {
    logger.error({ err: error }, "shutdown failed");
    process.exit(1);
  }
}

// Last line of defence (F1), not the fix: every handler must catch its own errors.
// A stray rejection is a bug to log loudly; the process state is still sound, so keep serving.
process.on("unhandledRejection", (reason) => {
  logger.error({ err: reason }, "unhandled promise rejection (a bug): still serving");
});
// After an uncaught exception the state is unknown: drain what can be drained, then exit 1.
process.on("uncaughtException", (error, origin) => {
  logger.fatal({ err: error, origin }, "uncaught exception: draining, then exiting");
  void shutdown("uncaughtException", 1);
});
process.on("SIGTERM", () => void shutdown("SIGTERM", 0));
process.on("SIGINT", () => void shutdown("SIGINT", 0));

const db = (running.db = await createDatabase({ log: (message: string) => logger.info(message) }));
logger.info({ database: db.kind }, "database ready");
let redis: Redis | undefined;
if (env.REDIS_URL) {
  try {
    redis = running.redis = await connectRedis(env.REDIS_URL);
  } catch (error) {
    // The URL may hold a password: say where it failed without it.
    const reason = error instanceof Error ? error.message : String(error);
    logger.fatal({ redis: redactedRedisUrl(env.REDIS_URL), reason }, "Redis is unreachable at start-up");
    process.exit(1);
  }
  logger.info({ redis: redactedRedisUrl(env.REDIS_URL) }, "hub on Redis");
}
const server = (running.server = await createServer({ db, redis, config: configFromEnv(env), logger }));
await server.listen({ port: env.PORT, host: env.HOST });
