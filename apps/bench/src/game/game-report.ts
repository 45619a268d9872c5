import type { Machine } from "../report";
import type { GameBenchOptions } from "./options";
import type { CapacityResult } from "./run-capacity";
import { CAPACITY_SEATS } from "./run-capacity";
import type { FigureRow } from "./run-figure-row";

export interface GameBenchResults {
  version: 1;
  startedAt: string;
  finishedAt: string;
  options: GameBenchOptions;
  machine: Machine;
  rows: FigureRow[];
  /** Switchboard's WebSocket row ÷ the bare socket.io game server's, when both ran. */
  ratios: Ratios | null;
  capacity: CapacityResult[];
}

export interface Ratios {
  p50: number;
  p99: number;
  bytesDownPerSec: number;
  requestsPerSec: number;
  /** Server CPU per game played. */
  cpuPerGame: number;
  /** Games held, Switchboard ÷ bare (null: a ramp found no bound or did not run). */
  capacity: number | null;
}

const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN);

export function computeRatios(rows: FigureRow[], capacity: CapacityResult[]): Ratios | null {
  const ws = rows.find((row) => row.row === "websocket" && row.ok);
  const bare = rows.find((row) => row.row === "bare-socketio" && row.ok);
  if (!ws || !bare) return null;
  const sb = capacity.find((entry) => entry.server === "switchboard");
  const baseline = capacity.find((entry) => entry.server === "bare-socketio");
  return {
    p50: ratio(ws.latency.p50, bare.latency.p50),
    p99: ratio(ws.latency.p99, bare.latency.p99),
    bytesDownPerSec: ratio(ws.bytesDownPerSec, bare.bytesDownPerSec),
    requestsPerSec: ratio(ws.requestsPerSec, bare.requestsPerSec),
    cpuPerGame: ratio(ws.serverCpuPct / ws.games, bare.serverCpuPct / bare.games),
    // A ratio of capacities needs both bounds found (a ramp that never missed only gives a lower bound).
    capacity: sb?.held && baseline?.held && sb.missed !== null && baseline.missed !== null ? sb.held / baseline.held : null,
  };
}

const fmt = (value: number | null | undefined, digits = 1) => (value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits));
const fmtInt = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–");
const pct = (value: number) => (Number.isFinite(value) ? `${(value * 100).toFixed(1)} %` : "–");
const times = (value: number | null) => (value === null || !Number.isFinite(value) ? "–" : `${value.toFixed(2)}×`);
const bound = (ms: number) => (Number.isNaN(ms) ? "–" : Number.isFinite(ms) ? `≤ ${ms} ms` : "> 1 s");

function table(header: string[], rows: string[][], left = 1): string {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i < left ? "---" : "---:")).join("|")}|`,
    ...rows.map((row) => `| ${row.map((cell) => cell.replace(/\|/g, "\\|")).join(" | ")} |`),
  ].join("\n");
}

function figureTable(results: GameBenchResults): string {
  const header = [
    "row",
    "input→render p50 ms",
    "p99 ms",
    `ticks/s (of ${results.options.tickHz})`,
    "fresh states/s",
    "req/s",
    "KiB/s down",
    "KiB/s up",
    "inputs/s",
    "late inputs",
    "tick age p50 ms",
    "p99 ms",
  ];
  const rows = results.rows.map((row) =>
    row.ok
      ? [
          row.row,
          fmt(row.latency.p50),
          fmt(row.latency.p99),
          fmt(row.ticksPerSec),
          fmt(row.updatesPerSec),
          fmt(row.requestsPerSec, 2),
          fmt(row.bytesDownPerSec / 1024, 2),
          fmt(row.bytesUpPerSec / 1024, 2),
          fmt(row.inputs.perSec, 2),
          pct(row.lateShare),
          fmt(row.tickAge.p50, 0),
          fmt(row.tickAge.p99, 0),
        ]
      : [row.row, `failed: ${row.error ?? "?"}`, ...header.slice(2).map(() => "")],
  );
  return table(header, rows);
}

function serverTable(results: GameBenchResults): string {
  const header = ["row", "games", "players", "server CPU %", "CPU % per game", "server RSS MiB", "tick lateness p99", "mean ms", "players CPU %", "other load %"];
  const rows = results.rows
    .filter((row) => row.ok)
    .map((row) => [
      row.row,
      String(row.games),
      String(row.players),
      fmt(row.serverCpuPct),
      fmt(row.serverCpuPct / row.games, 2),
      fmt(row.serverRssMiB, 0),
      bound(row.lateness.p99AtMostMs),
      fmt(row.lateness.meanMs, 2),
      fmt(row.playersCpuPct),
      fmt(row.otherCpuPct),
    ]);
  return table(header, rows);
}

function correctnessTable(results: GameBenchResults): string {
  const header = ["row", "players without ticks", "latency samples", "inputs sent", "applied", "answered late", "dropped", "refused", "games", "snapshot checks", "desyncs", "game.over checks", "mismatched", "gaps / resets", "final state = server's"];
  const rows = results.rows
    .filter((row) => row.ok)
    .map((row) => {
      const c = row.correctness;
      const refused = Object.entries(row.inputs.refused).map(([code, count]) => `${code} ${count}`).join(", ") || "0";
      return [
        row.row,
        String(row.silentPlayers),
        String(row.latency.samples),
        String(row.inputs.sent),
        String(row.inputs.applied),
        String(row.inputs.lateAnswers),
        String(row.inputs.dropped),
        refused,
        String(c.games),
        String(c.hashChecks),
        String(c.desyncs),
        String(c.overChecks),
        String(c.overMismatches),
        `${c.gaps} / ${c.resets}`,
        `${c.final.matched}/${c.final.players}`,
      ];
    });
  return table(header, rows);
}

function capacitySection(results: GameBenchResults): string {
  if (results.capacity.length === 0) return "_No capacity ramp in this run (`--capacity none`)._";
  const parts: string[] = [];
  for (const ramp of results.capacity) {
    const name = ramp.server === "switchboard" ? "Switchboard (WebSocket)" : "bare socket.io game server";
    const verdict =
      ramp.held === null
        ? `not even the first step (${results.options.capacitySteps[0]} games) held`
        : ramp.missed === null
          ? `every step held: **≥ ${ramp.held} games** (the ramp's top; a lower bound)`
          : `**${ramp.held} games** held; ${ramp.missed} missed`;
    parts.push(`**${name}**: ${verdict}${ramp.error ? ` (stopped: ${ramp.error})` : ""}.`, "");
    parts.push(
      table(
        ["games", "playing", "ticks", `≤ ${ramp.limitMs} ms late`, "p99", "mean ms", "server CPU %", "server RSS MiB", "players CPU %", "ticks/s per host", "other load %", "result"],
        ramp.steps.map((step) => [
          String(step.games),
          String(step.playing),
          fmtInt(step.lateness.ticks),
          pct(step.lateness.withinLimit),
          bound(step.lateness.p99AtMostMs),
          fmt(step.lateness.meanMs, 2),
          fmt(step.serverCpuPct),
          fmt(step.serverRssMiB, 0),
          `${fmt(step.playersCpuPct)}${step.playersSaturated ? " (saturated)" : ""}`,
          fmt(step.ticksPerSec),
          fmt(step.otherCpuPct),
          `${step.held ? "held" : "missed"}${step.attempts > 1 ? ` (attempt ${step.attempts})` : ""}`,
        ]),
        0,
      ),
      "",
    );
  }
  return parts.join("\n").trimEnd();
}

function ratioSection(ratios: Ratios | null): string {
  if (!ratios) return "_No ratios: they need the `websocket` row and the bare socket.io baseline in one run._";
  return table(
    ["Switchboard WebSocket ÷ bare socket.io", "input→render p50", "p99", "bytes down per player", "HTTP requests per player", "server CPU per game", "games held at the lateness limit"],
    [["ratio", times(ratios.p50), times(ratios.p99), times(ratios.bytesDownPerSec), times(ratios.requestsPerSec), times(ratios.cpuPerGame), times(ratios.capacity)]],
  );
}

/** The closing note's figures in a few sentences, from this run's numbers. */
function closingNote(results: GameBenchResults): string {
  const lines: string[] = [];
  const ok = results.rows.filter((row) => row.ok && row.server === "switchboard");
  for (const row of ok) {
    lines.push(
      `- **${row.row}**: input→render p50 ${fmt(row.latency.p50, 0)} ms / p99 ${fmt(row.latency.p99, 0)} ms; ${fmt(row.ticksPerSec)} of ${row.tickHz} ticks/s arrive, as ${fmt(row.updatesPerSec)} fresh states/s; ` +
        `${fmt(row.requestsPerSec, 2)} requests and ${fmt(row.bytesDownPerSec / 1024, 2)} KiB down per player per second; ${pct(row.lateShare)} of inputs late.`,
    );
  }
  const sb = results.capacity.find((entry) => entry.server === "switchboard");
  if (sb) {
    const held =
      sb.held === null
        ? `fewer than ${results.options.capacitySteps[0]} games (the first step missed)`
        : `${sb.held}${sb.missed === null ? " or more" : ""} games`;
    lines.push(`- **Capacity**: one instance held ${held} at ${sb.tickHz} Hz with p99 tick lateness ≤ ${sb.limitMs} ms.`);
  }
  if (results.ratios) {
    lines.push(
      `- **Against bare socket.io** (same game, same messages): p50 ${fmt(results.ratios.p50, 2)}×, p99 ${fmt(results.ratios.p99, 2)}×, server CPU per game ${fmt(results.ratios.cpuPerGame, 2)}×` +
        (results.ratios.capacity === null ? "." : `, games held ${fmt(results.ratios.capacity, 2)}×.`),
    );
  }
  return lines.join("\n");
}

export const GAME_METHOD_NOTES = `- **Processes.** Per row a fresh server process (pinned to CPU 0) and a fresh players process (CPU 1), driven over IPC by the orchestrator; all traffic on 127.0.0.1. Switchboard is the real service (\`createServer\`, default features, the game included; in-memory PGlite; the bench's generous per-address limits, and \`maxGames\` raised above the ramp).
- **Players.** SDK clients (\`@repo/client\`, one per signed-in user, on the row's transport, short polling at \`--poll-interval\`) that play as the web app does: the host creates the game and adds the bots, the others join and ready up, the host starts; each reads \`GET /v1/games/:id\` and follows \`game:<id>\` from its position, applying every \`game.tick\` with \`applyDelta\`. After each arrival batch (the events one read brought: one fresh state to draw) a player may turn: the service bot's rule keeps it alive, and it turns on its own every \`--turn-every\` ticks when there is room. One input in flight at a time, \`forTick\` = its state's tick + 1. A game that ends is rematched.
- **Input→render latency**: from sending \`game.input\` to applying the \`game.tick\` whose acks carry that input's seq (the tick that applied it), in the player's process. Short polling adds up to one interval; every transport adds the wait for the next tick (up to 1/tick rate).
- **Ticks/s** are deltas applied per player per second (the tick rate when nothing is lost); **fresh states/s** are arrival batches that advanced the state: what a renderer gets to draw. **Tick age** is how old each tick was when the player applied it: its clock minus the envelope's \`ts\` (the server's \`Date.now()\` when it published; one machine, 1 ms resolution). A renderer draws states at least this old, and needs a buffer of about its spread to draw smoothly.
- **Requests and bytes** are counted at the client: every HTTP request the players process made (undici and node:http diagnostics channels: polls, commands over HTTP, reads, tickets, stream and upgrade requests) and every byte its TCP sockets read and wrote, per player per second of the window.
- **Late inputs**: inputs the server answered \`late: true\` (meant for a tick it had already run; applied at its next tick, never back-dated).
- **Correctness**: every snapshot on the topic is compared (\`stateHash\`) with the state the player computed for that tick, every \`game.over\` with its final state, and after the window every player's state with the server's (\`GET /v1/games/:id\`) at the same tick.
- **Capacity**: games of ${CAPACITY_SEATS.humans} host and ${CAPACITY_SEATS.bots} bots, added step by step. The host is a light client (raw socket.io on Switchboard's wire, typed by \`@repo/protocol\`): it seats itself and the bots, starts, follows the game's topic (so presence keeps its seat) and counts ticks, but sends no inputs and parses nothing, so the players process (one CPU, like the server) is not what the ramp measures; its cycle hits a wall each round and the bots play on. Each step is measured after its new games' countdown; a step holds when ≥ 99 % of its ticks started at most the limit late (the service's \`switchboard_game_tick_lateness_seconds\` histogram, read in its process; the bare server keeps the same buckets). Stops at the first miss.
- **Baseline**: a bare socket.io server running the same simulation, input queue rules and tick loop, sending the same envelopes to a room per game; no auth, topic log, resume, presence, dispatcher, lobby or database. Raw socket.io clients play it with the same player code.`;

export function renderGameMarkdown(results: GameBenchResults): string {
  const o = results.options;
  return [
    "# Game benchmark",
    "",
    `- ${o.games} games per row, each ${o.humans} player(s) + ${o.bots} bot(s), ${o.tickHz} Hz, first to ${o.roundsToWin}; ${o.warmupS} s warm-up after the countdown, ${o.durationS} s measured`,
    `- Short-polling interval ${o.pollIntervalMs} ms; players turn on their own at most every ${o.turnEveryTicks} ticks`,
    `- Machine: ${results.machine.cpus} × ${results.machine.cpuModel}, ${results.machine.memoryGiB.toFixed(0)} GiB, Node ${results.machine.node}, ${results.machine.platform}`,
    `- Run: ${results.startedAt} → ${results.finishedAt}${o.quick ? " (**--quick**: smoke-test sizes, not representative)" : ""}`,
    "",
    "## Closing note",
    "",
    closingNote(results) || "_No row completed._",
    "",
    "## Per transport (per player)",
    "",
    figureTable(results),
    "",
    "### Server",
    "",
    serverTable(results),
    "",
    "### Inputs and correctness",
    "",
    correctnessTable(results),
    "",
    "## Ratios",
    "",
    ratioSection(results.ratios),
    "",
    `## Capacity at ${o.tickHz} Hz (p99 tick lateness ≤ ${o.latenessLimitMs} ms)`,
    "",
    capacitySection(results),
    "",
    "## Method",
    "",
    GAME_METHOD_NOTES,
    "",
  ].join("\n");
}
