import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";
import { asRateLimiter, type RateLimiterFactory } from "./rate-limiter";

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
    const limiter = new RateLimiterRedis({
      ...options,
      storeClient: redis,
      // Not ready (reconnecting): go to the insurance limiter at once rather than wait.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
    return asRateLimiter(limiter);
  };
}
