import { ATTACK_HEADER, attackRows, FLOOD_HEADER, FLOOD_METHOD_NOTES, FLOOD_RATIO_HEADER, floodRatioRows, floodRows } from "./flood/report";
import type { BenchOptions } from "./options";
import type { FloodResult } from "./run-flood-row";
import type { RowResult } from "./run-row";
import { REDIS_HEADER, REDIS_METHOD_NOTES, redisCells, type RedisComparison } from "./redis/redis-report";
import { BASELINE_OF, isSwitchboard, type BareScenario, type Scenario, type SwitchboardScenario } from "./scenarios";

/** Above this share of the machine used by other processes during a window, the row is flagged. */
export const BUSY_MACHINE_PCT = 10;

/** Largest 304 answer (status line and headers) that still counts as "a few hundred bytes at most". */
export const EMPTY_POLL_LIMIT_BYTES = 300;

export interface Comparison {
  row: SwitchboardScenario;
  baseline: BareScenario;
  p50: number;
  p95: number;
  p99: number;
  cpuPerMsg: number;
  bytesPerMsg: number;
  requestsPerMsg: number;
  heapPerIdle: number;
  deliveriesPerSec: number;
}

export interface Check {
  row: Scenario;
  target: string;
  value: number | null;
  limit: number;
  unit: "×" | "req/msg" | "B" | "count";
  /** null: not applicable or not measured in this run. */
  pass: boolean | null;
  note?: string;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

export interface BenchResults {
  version: 1;
  startedAt: string;
  finishedAt: string;
  options: BenchOptions;
  machine: Machine;
  rows: RowResult[];
  comparisons: Comparison[];
  checks: Check[];
  /** Flood rows (--flood), when run. */
  floods?: FloodResult[];
  /** Redis rows (--redis), when run, with their ratios to the in-process rows (their checks are in `checks`). */
  redis?: { rows: RowResult[]; shareRows?: RowResult[]; comparisons: RedisComparison[] };
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? Number.NaN : a / b;

export function compare(rows: RowResult[], options: BenchOptions): { comparisons: Comparison[]; checks: Check[] } {
  const byName = new Map(rows.filter((row) => row.ok).map((row) => [row.scenario, row]));
  const comparisons: Comparison[] = [];
  const checks: Check[] = [];
  const check = (row: Scenario, target: string, value: number, limit: number, unit: Check["unit"], note?: string) =>
    checks.push({ row, target, value: Number.isFinite(value) ? value : null, limit, unit, pass: Number.isFinite(value) ? value <= limit : null, note });

  for (const row of rows) {
    if (!isSwitchboard(row.scenario)) continue;
    const name = row.scenario;
    if (!row.ok) {
      checks.push({ row: name, target: "row completed", value: null, limit: 0, unit: "count", pass: false, note: row.error });
      continue;
    }
    checks.push({
      row: name,
      target: "0 lost, 0 duplicated, in order (steady state)",
      value: row.lost + row.duplicates + row.outOfOrder,
      limit: 0,
      unit: "count",
      pass: row.lost + row.duplicates + row.outOfOrder === 0,
    });
    const baselineName = BASELINE_OF[name];
    const base = byName.get(baselineName);
    if (base) {
      comparisons.push({
        row: name,
        baseline: baselineName,
        p50: ratio(row.latency.p50, base.latency.p50),
        p95: ratio(row.latency.p95, base.latency.p95),
        p99: ratio(row.latency.p99, base.latency.p99),
        cpuPerMsg: ratio(row.cpuMsPer1k, base.cpuMsPer1k),
        bytesPerMsg: ratio(row.bytesPerMsg, base.bytesPerMsg),
        requestsPerMsg: ratio(row.requestsPerMsg, base.requestsPerMsg),
        heapPerIdle: ratio(row.idle?.heapUsedPerConnKiB, base.idle?.heapUsedPerConnKiB),
        deliveriesPerSec: ratio(row.deliveriesPerSec, base.deliveriesPerSec),
      });
    }
    const c = comparisons.find((entry) => entry.row === name);
    if (name === "websocket") {
      const missing = base ? undefined : "bare-socketio row missing";
      check(name, "p50 latency ≤ 1.2× bare socket.io", c?.p50 ?? Number.NaN, 1.2, "×", missing);
      check(name, "p99 latency ≤ 1.5× bare socket.io", c?.p99 ?? Number.NaN, 1.5, "×", missing);
      check(name, "CPU per delivery ≤ 1.25× bare socket.io", c?.cpuPerMsg ?? Number.NaN, 1.25, "×", missing);
      check(name, "heap per idle connection ≤ 1.0× bare socket.io", c?.heapPerIdle ?? Number.NaN, 1.0, "×", options.idle > 0 ? missing : "--idle 0");
    } else if (name === "sse") {
      const missing = base ? undefined : "bare-sse row missing";
      check(name, "CPU per delivery ≤ 1.25× bare SSE", c?.cpuPerMsg ?? Number.NaN, 1.25, "×", missing);
      check(name, "bytes per message ≤ 1.1× bare SSE", c?.bytesPerMsg ?? Number.NaN, 1.1, "×", missing);
    } else if (name === "long-polling") {
      if (options.rate >= 10) check(name, "≤ 0.5 HTTP requests per delivered message at ≥ 10 msg/s per client", row.requestsPerMsg, 0.5, "req/msg");
      else checks.push({ row: name, target: "≤ 0.5 HTTP requests per delivered message at ≥ 10 msg/s per client", value: row.requestsPerMsg, limit: 0.5, unit: "req/msg", pass: null, note: `rate ${options.rate} < 10 msg/s` });
    } else if (name === "polling") {
      check(
        name,
        `empty poll (304) answer ≤ ${EMPTY_POLL_LIMIT_BYTES} B on the wire`,
        row.emptyPoll && row.emptyPoll.status === 304 ? row.emptyPoll.responseBytes : Number.NaN,
        EMPTY_POLL_LIMIT_BYTES,
        "B",
        row.emptyPoll ? (row.emptyPoll.status === 304 ? `request ${row.emptyPoll.requestBytes} B` : `probe answered ${row.emptyPoll.status}`) : "not measured",
      );
    }
  }
  return { comparisons, checks };
}

const fmt = (value: number | null | undefined, digits = 2) => (value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits));
const fmtInt = (value: number | null | undefined) => (value === null || value === undefined || !Number.isFinite(value) ? "–" : Math.round(value).toLocaleString("en-US"));
const verdict = (pass: boolean | null) => (pass === null ? "n/a" : pass ? "PASS" : "FAIL");

function rowCells(row: RowResult): string[] {
  if (!row.ok) return [row.scenario, "failed", "", "", "", "", "", "", "", "", ""];
  return [
    row.scenario,
    fmt(row.latency.p50),
    fmt(row.latency.p95),
    fmt(row.latency.p99),
    fmtInt(row.deliveriesPerSec),
    fmt(row.bytesPerMsg, 0),
    fmt(row.requestsPerMsg, 3),
    fmt(row.cpuMsPer1k, 1),
    row.idle ? fmt(row.idle.heapUsedPerConnKiB, 2) : "n/a",
    String(row.lost),
    String(row.duplicates),
  ];
}

const ROW_HEADER = ["row", "p50 ms", "p95 ms", "p99 ms", "deliv/s", "B/msg", "req/msg", "CPU ms/1k", "heap KiB/idle", "lost", "dup"];
const COMPARISON_HEADER = ["row", "baseline", "p50 ×", "p95 ×", "p99 ×", "CPU/msg ×", "B/msg ×", "req/msg ×", "heap/idle ×", "deliv/s ×"];

function comparisonCells(c: Comparison): string[] {
  return [c.row, c.baseline, fmt(c.p50), fmt(c.p95), fmt(c.p99), fmt(c.cpuPerMsg), fmt(c.bytesPerMsg), fmt(c.requestsPerMsg), fmt(c.heapPerIdle), fmt(c.deliveriesPerSec)];
}

function checkCells(check: Check): string[] {
  const value = check.unit === "×" ? `${fmt(check.value, 3)}×` : check.unit === "req/msg" ? fmt(check.value, 3) : check.unit === "B" ? `${fmtInt(check.value)} B` : fmtInt(check.value);
  const limit = check.unit === "×" ? `${check.limit}×` : check.unit === "B" ? `${check.limit} B` : String(check.limit);
  return [check.row, check.target, value, limit, verdict(check.pass), check.note ?? ""];
}

const TEXT_COLUMNS = new Set(["row", "deployment", "baseline", "target", "result", "note", "flood", "phase", "attacker outcome"]);

export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? "").length)));
  const left = header.map((cell) => TEXT_COLUMNS.has(cell));
  const line = (cells: string[]) => cells.map((cell, i) => (left[i] ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function markdownTable(header: string[], rows: string[][]): string {
  const escape = (cell: string) => cell.replace(/\|/g, "\\|");
  return [
    `| ${header.map(escape).join(" | ")} |`,
    `|${header.map((cell) => (TEXT_COLUMNS.has(cell) ? "---" : "---:")).join("|")}|`,
    ...rows.map((row) => `| ${row.map(escape).join(" | ")} |`),
  ].join("\n");
}

export function renderText(results: BenchResults): string {
  const parts = [
    textTable(ROW_HEADER, results.rows.map(rowCells)),
    "",
    "Ratios to the matching bare baseline (Switchboard ÷ bare):",
    results.comparisons.length > 0 ? textTable(COMPARISON_HEADER, results.comparisons.map(comparisonCells)) : "(no baseline rows)",
    "",
    "Targets (the design brief's performance targets):",
    textTable(["row", "target", "value", "limit", "result", "note"], results.checks.map(checkCells)),
  ];
  if (results.redis) {
    parts.push("", "On Redis (ratios to the in-process row of the same transport, same run):", textTable(REDIS_HEADER, redisCells(results.redis.rows, results.redis.comparisons, results.redis.shareRows, results.rows)));
  }
  const floods = results.floods ?? [];
  if (floods.length > 0) {
    parts.push(
      "",
      "Floods (the same well-behaved clients without and with each attack; default limits):",
      textTable(FLOOD_HEADER, floodRows(floods)),
      "",
      "Flood ÷ no flood:",
      textTable(FLOOD_RATIO_HEADER, floodRatioRows(floods)),
      "",
      "Attacker:",
      ...attackRows(floods).map(([kind, summary, clients]) => `- ${kind}: ${summary} (well-behaved clients: errors / anomalies ${clients})`),
    );
  }
  const failed = results.rows.filter((row) => !row.ok);
  for (const row of failed) parts.push(`\n${row.scenario} failed: ${row.error}`);
  return parts.join("\n");
}

function parameters(results: BenchResults): string {
  const o = results.options;
  return [
    `- Subscribers per row: **${o.subscribers}**, all on one topic; publish rate **${o.rate} msg/s** (each subscriber receives every message)`,
    `- Warm-up ${o.warmupS} s, measured window ${o.durationS} s per row; payload ≈ ${o.payloadBytes} B (\`{seq, sentAt, pad}\`)`,
    `- Short-polling interval ${o.pollIntervalMs} ms; idle connections for heap: ${o.idle > 0 ? o.idle.toLocaleString("en-US") : "skipped"}`,
    `- Rows: ${results.rows.map((row) => `\`${row.scenario}\``).join(", ")}`,
    `- Machine: ${results.machine.cpus} × ${results.machine.cpuModel}, ${results.machine.memoryGiB.toFixed(0)} GiB, Node ${results.machine.node}, ${results.machine.platform}`,
    `- Run: ${results.startedAt} → ${results.finishedAt}${o.quick ? " (**--quick**: smoke-test sizes, not representative)" : ""}`,
  ].join("\n");
}

function details(results: BenchResults): string {
  const header = ["row", "received/expected", "out of order", "errors", "other load %", "server CPU %", "CPU user/sys ms/1k", "server CPU ms/s, nothing published", "load-gen CPU %", "up B/msg", "server heap MiB", "server RSS MiB", "idle opened", "idle heap+ext KiB", "idle RSS KiB"];
  const rows = results.rows.map((row) =>
    row.ok
      ? [
          row.scenario,
          `${fmtInt(row.received)}/${fmtInt(row.expected)}`,
          String(row.outOfOrder),
          String(row.errors),
          fmt(row.otherCpuPct, 1),
          fmt(row.serverCpuPct, 1),
          `${fmt(row.cpuUserMsPer1k, 1)} / ${fmt(row.cpuSystemMsPer1k, 1)}`,
          fmt(row.idleCpuMsPerS, 1),
          fmt(row.loadgenCpuPct, 1),
          fmt(row.upBytesPerMsg, 0),
          fmt(row.serverHeapUsedMiB, 1),
          fmt(row.serverRssMiB, 1),
          row.idle ? `${row.idle.opened}/${row.idle.requested}` : "n/a",
          row.idle ? fmt(row.idle.totalPerConnKiB) : "n/a",
          row.idle ? fmt(row.idle.rssPerConnKiB) : "n/a",
        ]
      : [row.scenario, "failed", "", "", "", "", "", "", "", "", "", "", "", "", ""],
  );
  return markdownTable(header, rows);
}

function emptyPolls(results: BenchResults): string {
  const rows = results.rows
    .filter((row) => row.emptyPoll)
    .map((row) => [row.scenario, String(row.emptyPoll!.status), `${row.emptyPoll!.responseBytes} B`, `${row.emptyPoll!.requestBytes} B`]);
  return rows.length > 0 ? markdownTable(["row", "status", "answer (status line + headers)", "request (incl. Authorization)"], rows) : "_No short-polling row in this run._";
}

export const METHOD_NOTES = `- **Processes.** For every row the orchestrator forks a fresh server process (\`node --expose-gc --import tsx\`) and a fresh load-generator process and drives both over IPC; everything runs on 127.0.0.1.
- **Publishing.** The server process publishes R messages a second from its own drift-corrected timer. Payload \`{seq, sentAt, pad}\` with a fixed-size pad. Switchboard publishes through \`server.hub.publish("system:bench", "bench", payload)\` on the real service (\`createServer\` with its defaults: session auth, origin policy, metrics, slow-consumer sweep, long-poll linger; in-memory PGlite; log level \`warn\`; a one-topic bench feature instead of echo/ticker). The bare servers send the very same envelope JSON (\`{topic, offset, epoch, type, payload, ts}\`), so ratios compare transports, not message shapes.
- **Bare baselines.** socket.io with \`io.emit\` (websocket transport only); \`ws\` with one \`JSON.stringify\` and \`send\` per client; Node \`http\` SSE writing \`data: <json>\\n\\n\`; a poll endpoint (\`?after=seq\`, ETag = last seq, 304 when unchanged) and a long-poll endpoint (the same, held until a message or 25 s). No auth, no resume, no metrics.
- **Subscribers.** Lean raw clients in the load generator (no SDK): \`socket.io-client\` and \`ws\` for sockets; \`node:http\` with a keep-alive agent and a hand-written event-stream parser for SSE; the same agent for polls (\`If-None-Match\` on every poll; short pollers spread evenly over the interval; long pollers re-request as soon as an answer is in). Switchboard subscribers each sign in their own guest session and use \`Authorization: Bearer\` (SSE: a single-use ticket).
- **Latency** = receive time − \`sentAt\`, both read from the machine's monotonic clock (\`process.hrtime\`, CLOCK_MONOTONIC, shared by all processes), over first receipts of messages published in the measured window. For polls the receive time is when the answer is parsed, so short-polling latency includes the wait for the next poll.
- **Deliveries/s**: first receipts of messages published in the window, summed over subscribers, over the window length.
- **Bytes per message**: bytes read by all load-generator TCP sockets during the window (each socket's \`bytesRead\`, picked up through Node's \`net.client.socket\` diagnostics channel): status lines, headers, chunked framing, SSE fields, WebSocket frame headers, engine.io/socket.io packet prefixes and pings, bodies. Divided by deliveries. Upstream bytes (requests, acks) are listed separately.
- **Requests per message**: HTTP requests the load generator sent in the window ÷ deliveries. SSE and WebSocket open their one request before the window, so ≈ 0.
- **CPU per 1,000 deliveries**: the server process's \`process.cpuUsage()\` (user + system) over the window ÷ deliveries × 1,000. It includes everything in the process: the publisher timer, GC and, for Switchboard, PGlite, metrics and sweeps. The details table also lists the server's CPU with the subscribers connected and nothing published (ms per second, 2 s before the warm-up): fixed costs (timers, metrics, sweeps) for the streaming transports; for polls it is the cost of empty polls.
- **Heap per idle connection**: after the measured subscribers are closed: full GC, \`heapUsed\`; open M idle subscribers (connected and subscribed; long polls held; SSE tickets fetched before the first sample); wait until the server holds M connections, +1 s; full GC, \`heapUsed\`; difference ÷ M. Short polling holds nothing between polls: n/a.
- **Loss, duplicates, order**: every subscriber must receive each seq from 1 to the last exactly once, in increasing order; counted after a drain (≤ 5 s + poll interval) once publishing stopped. This is the steady state only; disconnects, switches and restarts are covered by the reliability tests.
- **Not measured here**: the fan-out target (deliveries/s at p99 ≤ 100 ms) needs a rate/subscriber ramp; 10,000 idle connections per transport: run with \`--idle 10000\`.
- **Other load**: the share of the machine's CPU (all cores, from \`os.cpus()\`) used during each window by anything but the row's server and load generator. A row above 10 % is measured again (up to \`--retries\`, default 2) and the quietest attempt is kept; rows still above it are flagged: other work on the machine skews latency tails and CPU figures.
- **CPU placement**: on Linux with ≥ 2 CPUs the server process is pinned to CPU 0 and the load generator to CPU 1 (\`taskset\`; \`--no-pin\` to disable), which makes latency and CPU figures steadier run to run.
- **Caveats**: one run per row, no repetition. At the default load the server is ~3–5 % busy, so CPU per delivery moves by ±15 % between runs and fixed costs (timers, metrics) weigh in; run with \`--rate 100\` for per-delivery costs. Ratios of 1–3 ms latencies are noisy, p99 most of all. The load generator's own parsing is part of every latency, equally for Switchboard and its baseline.`;

function busyNote(results: BenchResults): string[] {
  const busy = results.rows.filter((row) => row.ok && row.otherCpuPct > BUSY_MACHINE_PCT);
  if (busy.length === 0) return [];
  const list = busy.map((row) => `${row.scenario} (${row.otherCpuPct.toFixed(0)} %)`).join(", ");
  return [`> **Warning:** other processes used more than ${BUSY_MACHINE_PCT} % of the machine's CPU while these rows were measured: ${list}. Their figures are skewed.`, ""];
}

function redisSection(results: BenchResults): string[] {
  if (!results.redis) return [];
  return [
    "## On Redis",
    "",
    "Each Switchboard transport again with `REDIS_URL`: 1 instance, then 2 instances behind nginx; ratios to the in-process row of the same transport in this run (targets in the table above). The last rows run in process at half the subscribers, one instance's share: the 2-instance rows' \"same load\" CPU ratio is to them.",
    "",
    markdownTable(REDIS_HEADER, redisCells(results.redis.rows, results.redis.comparisons, results.redis.shareRows, results.rows)),
    "",
  ];
}

function floodSection(floods: FloodResult[]): string[] {
  if (floods.length === 0) return [];
  return [
    "## Floods",
    "",
    "The same well-behaved clients (half WebSocket, half SSE, each from its own address) measured without and then with each attack, on one Switchboard process with its default limits.",
    "",
    markdownTable(FLOOD_HEADER, floodRows(floods)),
    "",
    markdownTable(FLOOD_RATIO_HEADER, floodRatioRows(floods)),
    "",
    markdownTable(ATTACK_HEADER, attackRows(floods)),
    "",
  ];
}

export function renderMarkdown(results: BenchResults): string {
  return [
    "# Switchboard benchmark",
    "",
    "Generated by `pnpm bench --docs` (apps/bench); a run without `--docs` writes only to `bench/results/`. Switchboard's four transports against bare baselines started by the bench itself, with the same subscriber count and publish rate; server and load generator in separate processes. Targets are the performance targets in the project's design brief.",
    "",
    "## Parameters",
    "",
    parameters(results),
    "",
    "## Results",
    "",
    markdownTable(ROW_HEADER, results.rows.map(rowCells)),
    "",
    ...busyNote(results),
    "## Ratios to the matching baseline (Switchboard ÷ bare)",
    "",
    results.comparisons.length > 0 ? markdownTable(COMPARISON_HEADER, results.comparisons.map(comparisonCells)) : "_No baseline rows in this run._",
    "",
    "Matching baselines: websocket ↔ bare socket.io, sse ↔ bare SSE, long-polling ↔ bare long poll, polling ↔ bare poll. Bare `ws` is shown for reference (socket.io's own overhead over raw WebSocket).",
    "",
    "## Targets",
    "",
    markdownTable(["row", "target", "value", "limit", "result", "note"], results.checks.map(checkCells)),
    "",
    "## Empty poll",
    "",
    emptyPolls(results),
    "",
    "## Details",
    "",
    details(results),
    "",
    ...results.rows.filter((row) => !row.ok).map((row) => `- **${row.scenario} failed:** ${row.error}`),
    ...redisSection(results),
    ...floodSection(results.floods ?? []),
    "## Method",
    "",
    METHOD_NOTES,
    ...(results.redis ? [REDIS_METHOD_NOTES] : []),
    ...((results.floods ?? []).length > 0 ? [FLOOD_METHOD_NOTES] : []),
    "",
  ].join("\n");
}
