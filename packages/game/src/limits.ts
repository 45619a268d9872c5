/*
 * Every bound of the game in one place. Grid sizes and tick rates are per game
 * (MatchConfig) within these ranges; the rest are fixed rules of the service.
 */
export const GAME_LIMITS = {
  /** Seats in one game. */
  minSeats: 2,
  maxSeats: 8,
  /** The default grid, in cells. */
  width: 64,
  height: 48,
  /** Either side of a configured grid: small enough for 8 spawns, large enough to stay a tiny snapshot. */
  minSide: 16,
  maxSide: 128,
  /** Simulation rate, ticks per second. */
  tickHzDefault: 15,
  tickHzMin: 5,
  tickHzMax: 30,
  /** Round wins that win the game. */
  roundsToWinDefault: 3,
  roundsToWinMax: 9,
  /** Seconds of countdown before each round (see countdownTicksFor). */
  countdownSeconds: 3,
  /** Seconds the round result stays up before the next countdown (see roundOverTicksFor). */
  roundOverSeconds: 2,
  /** A full snapshot on the game's topic every this many ticks (besides join and resume). */
  snapshotEveryTicks: 30,
  /** Turns one seat may have waiting (two, so a quick double turn is not lost). */
  inputQueueMax: 2,
  /** Inputs one seat may offer between two ticks; more is `rate_limited`. */
  inputsPerTickMax: 3,
  /** A game ends (as it stands) at this tick at the latest: 20 minutes at the highest rate. */
  maxGameTicks: 20 * 60 * 30,
} as const;

/** Countdown length in ticks at `tickHz`. */
export function countdownTicksFor(tickHz: number): number {
  return GAME_LIMITS.countdownSeconds * tickHz;
}

/** Round-over pause in ticks at `tickHz`. */
export function roundOverTicksFor(tickHz: number): number {
  return GAME_LIMITS.roundOverSeconds * tickHz;
}

/** Milliseconds per tick at `tickHz`. */
export function tickMsFor(tickHz: number): number {
  return 1000 / tickHz;
}
