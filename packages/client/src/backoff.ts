export interface BackoffOptions {
  /** Ceiling of the first retry's delay, in ms. */
  baseMs: number;
  /** Largest ceiling, in ms. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

/**
 * "Full jitter" exponential backoff: a uniformly random delay between 0 and
 * min(max, base · 2^attempt). Spreads a reconnect storm (every client dropped
 * by one restart) over the whole window instead of synchronised waves.
 */
export function fullJitterDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
