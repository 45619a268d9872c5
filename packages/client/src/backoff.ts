export interface BackoffOptions {
  /** Ceiling of the first retry's delay, in ms. */
  baseMs: number;
  /** Largest ceiling, in ms. */
  maxMs: number;
  /**
   * Full jitter (default true). `false` waits the whole ceiling every time, so
   * every client dropped at one instant retries at the same instants: the
   * reconnect storm the lab and `pnpm bench:lab --scenarios storm` measure.
   * Leave it on in apps.
   */
  jitter?: boolean;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

/**
 * "Full jitter" exponential backoff: a uniformly random delay between 0 and
 * min(max, base · 2^attempt). Spreads a reconnect storm (every client dropped
 * by one restart) over the whole window instead of synchronised waves.
 */
export function fullJitterDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeiling(attempt, options));
}

/** min(max, base · 2^attempt): the longest delay of an attempt. */
function backoffCeiling(attempt: number, options: BackoffOptions): number {
  return Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
}

/** The delay before retry `attempt`: full jitter, or the bare ceiling when `jitter` is false. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  return options.jitter === false ? backoffCeiling(attempt, options) : fullJitterDelay(attempt, options, random);
}
