import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** What the gauges read when /metrics is scraped. */
export interface GameStats {
  games: { waiting: number; playing: number; finished: number };
  /** Tick loops running. */
  loops: number;
  /** Timers the feature has pending: tick loops' next slots, grace periods, lingering and idle games. */
  timers: number;
}

export type InputOutcome = "queued" | "late" | "duplicate" | "illegal" | "rate_limited" | "forbidden" | "conflict" | "not_found";

/** The game feature's series in the service's registry (GET /metrics). */
export function createGameMetrics(registry: Registry, stats: () => GameStats) {
  const tickLateness = new Histogram({
    name: "switchboard_game_tick_lateness_seconds",
    help: "How late each game tick started against its fixed slot (start + n · period)",
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  new Gauge({
    name: "switchboard_games",
    help: "Games this instance holds, by status",
    labelNames: ["status"] as const,
    registers: [registry],
    collect() {
      for (const [status, count] of Object.entries(stats().games)) this.set({ status }, count);
    },
  });
  new Gauge({
    name: "switchboard_game_loops",
    help: "Game tick loops running here (should return to zero when games end)",
    registers: [registry],
    collect() {
      this.set(stats().loops);
    },
  });
  new Gauge({
    name: "switchboard_game_timers",
    help: "Timers the game feature has pending (should return to zero when games end)",
    registers: [registry],
    collect() {
      this.set(stats().timers);
    },
  });
  const inputs = new Counter({
    name: "switchboard_game_inputs_total",
    help: "game.input commands, by outcome",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  return {
    observeLateness(ms: number) {
      tickLateness.observe(ms / 1000);
    },
    countInput(outcome: InputOutcome) {
      inputs.inc({ outcome });
    },
  };
}

export type GameMetrics = ReturnType<typeof createGameMetrics>;
