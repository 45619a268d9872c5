import { setTimeout as sleep } from "node:timers/promises";
import { GAME_LIMITS } from "@repo/game";
import { closeWindow, openWindow, startGameChildren, stopGameChildren } from "./game-children";
import { latenessBetween, latenessHeld, summarizeLateness, type LatenessSummary } from "./lateness";
import type { GameBenchOptions } from "./options";
import type { GameServerKind } from "./servers/game-server";

/** Above this share of the machine used by other processes during a window, a missed step is measured again. */
export const BUSY_MACHINE_PCT = 10;
/** Above this the players process is the bottleneck, not the server: the step says so. */
const SATURATED_PLAYERS_PCT = 90;

/** Capacity games: one human host (a light client on WebSocket that follows the game, see lean-hosts.ts) and bots in the other seats. */
export const CAPACITY_SEATS = { humans: 1, bots: 3 } as const;

export interface CapacityStep {
  games: number;
  /** Games playing at the end of the window (the service's gauge; a game being rematched is briefly not). */
  playing: number;
  attempts: number;
  lateness: LatenessSummary;
  held: boolean;
  serverCpuPct: number;
  serverRssMiB: number;
  playersCpuPct: number;
  otherCpuPct: number;
  /** Ticks each host applied per second: the tick rate when neither side falls behind. */
  ticksPerSec: number;
  /** The players process was nearly out of CPU: the step may measure it, not the server. */
  playersSaturated: boolean;
}

export interface CapacityResult {
  server: GameServerKind;
  tickHz: number;
  limitMs: number;
  steps: CapacityStep[];
  /** The most games of a step that held (null: not even the first). */
  held: number | null;
  /** The first step that missed (null: every step held, the ramp's top is a lower bound). */
  missed: number | null;
  error?: string;
}

const MiB = 1024 * 1024;

/**
 * The capacity ramp on one fresh server: games of one host following on
 * WebSocket (lean-hosts.ts) and three bots at `--tick-hz`, added step by step (the games of earlier
 * steps keep playing). Each step is measured for `--step-duration` s after its
 * new games' countdown; it holds when at least 99 % of its ticks started at
 * most `--lateness-ms` late (the service's tick-lateness histogram, read in
 * its process). A missed step on a busy machine is measured again; the ramp
 * stops at the first step that misses.
 */
export async function runCapacity(server: GameServerKind, options: GameBenchOptions, progress: (message: string) => void): Promise<CapacityResult> {
  const result: CapacityResult = { server, tickHz: options.tickHz, limitMs: options.latenessLimitMs, steps: [], held: null, missed: null };
  const children = await startGameChildren(server, options, `capacity ${server}`);
  try {
    const { players } = children;
    progress(`${server} at ${children.url}${children.pinned ? " (server on CPU 0, players on CPU 1)" : ""}`);
    await players.call("start", { server, url: children.url, transport: "websocket", pollIntervalMs: options.pollIntervalMs });
    const spec = { ...CAPACITY_SEATS, tickHz: options.tickHz, roundsToWin: GAME_LIMITS.roundsToWinMax, turnEveryTicks: options.turnEveryTicks };
    let games = 0;
    for (const target of options.capacitySteps) {
      const opened = await players.call("openTables", { count: target - games, spec, concurrency: 16, lean: true }, 600_000);
      games = opened.tables;
      if (opened.failed > 0) throw new Error(`step ${target}: ${opened.failed} games did not start: ${opened.firstError}`);
      await sleep(GAME_LIMITS.countdownSeconds * 1000 + 1000);
      let step: CapacityStep | undefined;
      for (let attempt = 1; attempt <= options.retries + 1; attempt++) {
        const start = await openWindow(children);
        await sleep(options.stepDurationS * 1000);
        const end = await closeWindow(children, start);
        const report = await players.call("report", { drainMs: 0 });
        const lateness = summarizeLateness(latenessBetween(start.server.lateness, end.server.lateness), options.latenessLimitMs);
        step = {
          games,
          playing: end.server.games.playing,
          attempts: attempt,
          lateness,
          held: latenessHeld(lateness),
          serverCpuPct: end.serverCpuPct,
          serverRssMiB: end.server.memory.rss / MiB,
          playersCpuPct: end.playersCpuPct,
          otherCpuPct: end.otherCpuPct,
          ticksPerSec: report.players > 0 ? report.ticks / report.players / (end.windowMs / 1000) : Number.NaN,
          playersSaturated: end.playersCpuPct > SATURATED_PLAYERS_PCT,
        };
        progress(
          `${String(games).padStart(5)} games: ${step.held ? "held" : "MISSED"} — ${(lateness.withinLimit * 100).toFixed(2)} % of ${lateness.ticks} ticks ≤ ${options.latenessLimitMs} ms late ` +
            `(p99 ≤ ${lateness.p99AtMostMs} ms, mean ${lateness.meanMs.toFixed(2)} ms); server CPU ${step.serverCpuPct.toFixed(0)} %, ` +
            `players CPU ${step.playersCpuPct.toFixed(0)} %${step.playersSaturated ? " (saturated)" : ""}, ${step.ticksPerSec.toFixed(1)} ticks/s per host` +
            (step.otherCpuPct > BUSY_MACHINE_PCT ? `; other processes used ${step.otherCpuPct.toFixed(0)} % of the machine` : ""),
        );
        if (step.held || step.otherCpuPct <= BUSY_MACHINE_PCT || attempt > options.retries) break;
        progress(`a busy machine may have caused the miss: measuring ${games} games again (${attempt}/${options.retries})`);
      }
      if (!step) break;
      result.steps.push(step);
      if (!step.held) {
        result.missed = games;
        break;
      }
      result.held = games;
    }
    await players.call("closeTables", undefined);
  } catch (error) {
    result.error = error instanceof Error ? error.message.split("\n")[0] : String(error);
    progress(`FAILED: ${result.error}`);
  } finally {
    await stopGameChildren(children);
  }
  return result;
}
