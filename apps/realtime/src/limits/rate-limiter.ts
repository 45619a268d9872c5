import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

/** At most `points` actions per `windowSeconds` (a fixed window per key). */
export interface RateWindow {
  points: number;
  windowSeconds: number;
}

/** One bucket per key. */
export interface RateLimiter {
  /** Takes one point (or `points`) for `key`: null when allowed, else whole seconds until a retry may succeed (≥ 1). */
  take(key: string, points?: number): Promise<number | null>;
}

/**
 * Builds the limiters: in process (memory) by default, in Redis when the service
 * runs on it (redis-rate-limiters.ts), so every instance charges the same
 * buckets. `name` keeps buckets of different limits apart.
 */
export type RateLimiterFactory = (name: string, window: RateWindow) => RateLimiter;

/** A rate-limiter-flexible limiter (any store) as a RateLimiter: a refusal becomes its retry-after seconds. */
export function asRateLimiter(limiter: RateLimiterAbstract): RateLimiter {
  return {
    async take(key, points = 1) {
      try {
        await limiter.consume(key, points);
        return null;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw rejection;
      }
    },
  };
}

export const memoryRateLimiters: RateLimiterFactory = (name, window) =>
  asRateLimiter(new RateLimiterMemory({ keyPrefix: name, points: window.points, duration: window.windowSeconds }));

/** Several windows on one key (e.g. per minute and per day): refused by the first that is full. */
export function layered(factory: RateLimiterFactory, name: string, windows: readonly RateWindow[]): RateLimiter {
  const limiters = windows.map((window, i) => factory(`${name}#${i}`, window));
  return {
    async take(key) {
      for (const limiter of limiters) {
        const retryAfter = await limiter.take(key);
        if (retryAfter !== null) return retryAfter;
      }
      return null;
    },
  };
}
