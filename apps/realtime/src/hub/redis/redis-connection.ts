import { Redis } from "ioredis";

/** How long one Redis command may take before it fails (and the caller gets `unavailable`). */
const COMMAND_TIMEOUT_MS = 2000;

/**
 * The service's Redis command connection. While Redis is unreachable, commands
 * fail at once (no offline queue, one attempt), so callers answer with a typed
 * `unavailable` instead of hanging; the connection keeps retrying in the
 * background (capped backoff) and everything works again once Redis is back.
 */
export function createRedisConnection(url: string, name = "switchboard"): Redis {
  return new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: COMMAND_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
  });
}

/** How long start-up waits for Redis before giving up. */
const CONNECT_WAIT_MS = 10_000;

/** A command connection that is ready to use, or an error after CONNECT_WAIT_MS. */
export async function connectRedis(url: string, name = "switchboard"): Promise<Redis> {
  const redis = createRedisConnection(url, name);
  let lastError: unknown;
  redis.on("error", (error: unknown) => {
    lastError = error;
  });
  const ready = new Promise<void>((resolve) => redis.once("ready", () => resolve()));
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), CONNECT_WAIT_MS).unref());
  if ((await Promise.race([ready, timeout])) === "timeout") {
    redis.disconnect();
    throw new Error(`no answer within ${CONNECT_WAIT_MS / 1000} s${lastError instanceof Error ? ` (${lastError.message})` : ""}`);
  }
  return redis;
}

/** The URL without its password, for logs. */
export function redactedRedisUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
