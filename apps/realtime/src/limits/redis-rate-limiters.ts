import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { asRateLimiter, type RateLimiter, type RateLimiterFactory, type RateWindow } from "./rate-limiter";

/** The share of a window's points each instance grants on its own before it asks Redis (see `firstOnThisInstance`). */
export const LOCAL_SHARE = 0.1;

/**
 * Limiters whose buckets live in Redis, so that every instance charges the same
 * ones (a client cannot multiply its allowance by the number of instances).
 * While Redis is unreachable each instance falls back to its own in-memory
 * bucket of the same size (rate-limiter-flexible's insurance limiter): limits
 * still hold per instance, and no request fails because of the limiter.
 */
export function redisRateLimiters(redis: Redis, keyPrefix = "sb:rl:"): RateLimiterFactory {
  return (name, window) => {
    const options = { keyPrefix: `${keyPrefix}${name}`, points: window.points, duration: window.windowSeconds };
    const shared = new RateLimiterRedis({
      ...options,
      storeClient: redis,
      // Not ready (reconnecting): go to the insurance limiter at once rather than wait.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
    return firstOnThisInstance(shared, window, `${keyPrefix}${name}:local`);
  };
}

/**
 * The first tenth of a window's points per key (rounded down: none for small limits such as
 * sign-ins) is granted by this instance alone; from the point after it, every take is charged
 * to the shared bucket, the local ones included. A client that stays under a tenth of its limit
 * (a poller asks once a second against 40) costs Redis nothing; one that goes above is limited
 * on the shared bucket, with at most a tenth of its allowance per instance uncounted.
 */
function firstOnThisInstance(shared: RateLimiterRedis, window: RateWindow, keyPrefix: string): RateLimiter {
  const localPoints = Math.floor(window.points * LOCAL_SHARE);
  const sharedLimiter = asRateLimiter(shared);
  if (localPoints === 0) return sharedLimiter;
  const local = new RateLimiterMemory({ keyPrefix, points: localPoints, duration: window.windowSeconds });
  return {
    async take(key) {
      try {
        await local.consume(key);
        return null;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        // The first take past the local share brings the ones granted here to the shared bucket.
        const points = rejection.consumedPoints === localPoints + 1 ? localPoints + 1 : 1;
        return sharedLimiter.take(key, points);
      }
    },
  };
}
