// Entry point: the only file that reads env, opens the database and listens.
import { createDatabase } from "@repo/db";
import pino from "pino";
import { configFromEnv } from "./config";
import { DEV_SESSION_SECRET, readEnv } from "./env";
import { loggerOptions } from "./observability/logger";
import { createServer } from "./server";

const env = readEnv();
const logger = pino(loggerOptions(env.LOG_LEVEL));
if (env.SESSION_SECRET === DEV_SESSION_SECRET) {
  logger.warn("SESSION_SECRET is not set: using the public development secret. Never do this in production.");
}

const db = await createDatabase({ log: (message: string) => logger.info(message) });
logger.info({ database: db.kind }, "database ready");
const server = await createServer({ db, config: configFromEnv(env), logger });
await server.listen({ port: env.PORT, host: env.HOST });

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down: refusing new work, draining");
  const force = setTimeout(() => {
    logger.error("drain took too long, exiting");
    process.exit(1);
  }, env.SHUTDOWN_GRACE_MS + 2000);
  force.unref();
  try {
    await server.close();
    await db.close();
    logger.info("shutdown complete");
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, "shutdown failed");
    process.exit(1);
  }
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
