import { setTimeout as sleep } from "node:timers/promises";
import { GAME_LIMITS } from "@repo/game";
import type { TransportName } from "@repo/protocol";
import type { LatencySummary } from "../stats";
import { closeWindow, openWindow, startGameChildren, stopGameChildren } from "./game-children";
import { latenessBetween, summarizeLateness, type LatenessSummary } from "./lateness";
import type { GameBenchOptions } from "./options";
import type { GameServerKind } from "./servers/game-server";

/** A figure row: a Switchboard transport, or the bare socket.io game server (the WebSocket row's baseline). */
export type FigureRowName = TransportName | "bare-socketio";

export interface FigureRow {
  row: FigureRowName;
  server: GameServerKind;
  transport: TransportName;
  ok: boolean;
  error?: string;
  games: number;
  players: number;
  tickHz: number;
  windowMs: number;
  /** Own input sent → the tick that applied it received and applied. */
  latency: LatencySummary;
  /** Per player: ticks applied per second (the tick rate, if nothing is missing) and fresh states (arrival batches) per second. */
  ticksPerSec: number;
  updatesPerSec: number;
  /** Players who applied no tick in the window. */
  silentPlayers: number;
  /** Per player per second, counted at the client: HTTP requests, bytes read and written by every socket. */
  requestsPerSec: number;
  bytesDownPerSec: number;
  bytesUpPerSec: number;
  inputs: { sent: number; applied: number; lateAnswers: number; lateTicks: number; dropped: number; refused: Record<string, number>; perSec: number; unsettled: boolean };
  /** Share of sent inputs the server answered late (applied at its next tick, not the one they were meant for). */
  lateShare: number;
  /** How old each tick was when it arrived (server publish → client applied): what a renderer draws is at least this old. */
  tickAge: LatencySummary;
  correctness: {
    games: number;
    hashChecks: number;
    desyncs: number;
    overChecks: number;
    overMismatches: number;
    gaps: number;
    resets: number;
    problems: string[];
    final: { players: number; matched: number; mismatched: number; unreached: number; noState: number };
  };
  serverCpuPct: number;
  serverRssMiB: number;
  lateness: LatenessSummary;
  playersCpuPct: number;
  otherCpuPct: number;
}

const MiB = 1024 * 1024;

export function failedFigureRow(row: FigureRowName, options: GameBenchOptions, error: unknown): FigureRow {
  const nan = Number.NaN;
  return {
    row,
    server: row === "bare-socketio" ? "bare-socketio" : "switchboard",
    transport: row === "bare-socketio" ? "websocket" : row,
    ok: false,
    error: error instanceof Error ? error.message.split("\n")[0] : String(error),
    games: options.games,
    players: 0,
    tickHz: options.tickHz,
    windowMs: 0,
    latency: { samples: 0, p50: nan, p95: nan, p99: nan, max: nan, mean: nan },
    ticksPerSec: nan,
    updatesPerSec: nan,
    silentPlayers: 0,
    requestsPerSec: nan,
    bytesDownPerSec: nan,
    bytesUpPerSec: nan,
    inputs: { sent: 0, applied: 0, lateAnswers: 0, lateTicks: 0, dropped: 0, refused: {}, perSec: nan, unsettled: false },
    lateShare: nan,
    tickAge: { samples: 0, p50: nan, p95: nan, p99: nan, max: nan, mean: nan },
    correctness: {
      games: 0,
      hashChecks: 0,
      desyncs: 0,
      overChecks: 0,
      overMismatches: 0,
      gaps: 0,
      resets: 0,
      problems: [],
      final: { players: 0, matched: 0, mismatched: 0, unreached: 0, noState: 0 },
    },
    serverCpuPct: nan,
    serverRssMiB: nan,
    lateness: { ticks: 0, meanMs: nan, p99AtMostMs: nan, withinLimit: nan, limitMs: options.latenessLimitMs },
    playersCpuPct: nan,
    otherCpuPct: nan,
  };
}

/**
 * One figure row: a fresh server and players process; `--games` games of
 * `--humans` players and `--bots` bots, started together; the countdown and
 * the warm-up played; a window of `--duration` s measured; then every
 * player's state checked against the server's.
 */
export async function runFigureRow(row: FigureRowName, options: GameBenchOptions, progress: (message: string) => void): Promise<FigureRow> {
  const server: GameServerKind = row === "bare-socketio" ? "bare-socketio" : "switchboard";
  const transport: TransportName = row === "bare-socketio" ? "websocket" : row;
  const children = await startGameChildren(server, options, row);
  try {
    const { players } = children;
    progress(`${server} at ${children.url}${children.pinned ? " (server on CPU 0, players on CPU 1)" : ""}`);
    await players.call("start", { server, url: children.url, transport, pollIntervalMs: options.pollIntervalMs });
    const spec = { humans: options.humans, bots: options.bots, tickHz: options.tickHz, roundsToWin: options.roundsToWin, turnEveryTicks: options.turnEveryTicks };
    const opened = await players.call("openTables", { count: options.games, spec, concurrency: 8, lean: false }, 300_000);
    if (opened.failed > 0) throw new Error(`${opened.failed} of ${options.games} games did not start: ${opened.firstError}`);
    progress(`${opened.opened} games started in ${(opened.ms / 1000).toFixed(1)} s; countdown and ${options.warmupS} s warm-up`);
    await sleep((GAME_LIMITS.countdownSeconds + options.warmupS) * 1000);

    const start = await openWindow(children);
    progress(`measuring ${options.durationS} s`);
    await sleep(options.durationS * 1000);
    const end = await closeWindow(children, start);
    const report = await players.call("report", { drainMs: 2 * options.pollIntervalMs + 3000 }, 60_000);
    const final = await players.call("verify", { timeoutMs: options.pollIntervalMs + 5000 }, 60_000);
    await players.call("closeTables", undefined);

    const perPlayerPerSec = (value: number) => (report.players > 0 ? value / report.players / (end.windowMs / 1000) : Number.NaN);
    const result: FigureRow = {
      row,
      server,
      transport,
      ok: true,
      games: opened.opened,
      players: report.players,
      tickHz: options.tickHz,
      windowMs: end.windowMs,
      latency: report.latency,
      ticksPerSec: perPlayerPerSec(report.ticks),
      updatesPerSec: perPlayerPerSec(report.updates),
      silentPlayers: report.silent,
      requestsPerSec: perPlayerPerSec(end.players.requests - start.players.requests),
      bytesDownPerSec: perPlayerPerSec(end.players.bytes.read - start.players.bytes.read),
      bytesUpPerSec: perPlayerPerSec(end.players.bytes.written - start.players.bytes.written),
      inputs: { ...report.inputs, perSec: perPlayerPerSec(report.inputs.sent) },
      lateShare: report.inputs.sent > 0 ? report.inputs.lateAnswers / report.inputs.sent : Number.NaN,
      tickAge: report.tickAge,
      correctness: { ...report.correctness, final },
      serverCpuPct: end.serverCpuPct,
      serverRssMiB: end.server.memory.rss / MiB,
      lateness: summarizeLateness(latenessBetween(start.server.lateness, end.server.lateness), options.latenessLimitMs),
      playersCpuPct: end.playersCpuPct,
      otherCpuPct: end.otherCpuPct,
    };
    progress(
      `input→render p50 ${result.latency.p50.toFixed(1)} ms, p99 ${result.latency.p99.toFixed(1)} ms; ` +
        `${result.ticksPerSec.toFixed(1)} ticks/s, ${result.updatesPerSec.toFixed(1)} fresh states/s per player; ` +
        `${result.requestsPerSec.toFixed(2)} req/s, ${(result.bytesDownPerSec / 1024).toFixed(1)} KiB/s down per player; ` +
        `final states ${final.matched}/${final.players} matched`,
    );
    return result;
  } finally {
    await stopGameChildren(children);
  }
}
