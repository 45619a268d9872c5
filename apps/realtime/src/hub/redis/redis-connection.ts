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
