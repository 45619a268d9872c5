import { BUSY_MACHINE_PCT, markdownTable } from "../report";
import type { RowResult } from "../run-row";
import type { Scenario, SwitchboardScenario } from "../scenarios";
import type { Chart } from "./charts";
import type { LabResults } from "./lab-results";
import { explainerRows, type ExplainerRow } from "./explainer";
import { finite, int, num, TRANSPORT_NAMES } from "./format";
import { h2Section, h2Summary } from "./h2-doc";
import { stormSection, stormSummary } from "./storm-doc";

/**
 * docs/transports.md: the explainer's comparison table reissued with this
 * run's figures. The explainer's words and the prose are typed here; every
 * number comes from the run's JSON (LabResults).
 */

const TRANSPORTS: SwitchboardScenario[] = ["polling", "long-polling", "websocket", "sse"];
function otherLoadMax(results: LabResults): number {
  const rows: RowResult[] = [
    ...(results.ramp ?? []).flatMap((ramp) => ramp.steps.map((step) => step.row)),
    ...(results.cost ?? []).map((entry) => entry.row),
  ].filter((row) => row.ok);
  return rows.reduce((max, row) => (finite(row.otherCpuPct) ? Math.max(max, row.otherCpuPct) : max), 0);
}

function rampSection(results: LabResults): string {
  const ramp = results.ramp ?? [];
  if (ramp.length === 0) return "_The ramp was not run._";
  const o = results.options;
  const rows = ramp.map((transport) => {
    const ceiling = transport.steps.filter((step) => step.pass).at(-1);
    const stop = transport.steps.find((step) => !step.pass);
    return [
      transport.scenario,
      transport.ceilingPerSec === null ? "none" : int(transport.ceilingPerSec),
      ceiling ? `${int(ceiling.rate)} msg/s × ${ceiling.subscribers}` : "–",
      ceiling ? num(ceiling.row.latency.p99) : "–",
      stop ? `${int(stop.rate)} msg/s: ${stop.reason}` : `not reached (every step passed up to ${int(o.rampRates.at(-1))} msg/s)`,
      transport.steps.map((step) => `${int(step.rate)}→${num(step.row.latency.p99, 0)}`).join(", "),
      ceiling ? num(ceiling.row.serverCpuPct, 0) : "–",
      ceiling ? num(ceiling.row.loadgenCpuPct, 0) : "–",
      num(Math.max(0, ...transport.steps.map((step) => (finite(step.row.otherCpuPct) ? step.row.otherCpuPct : 0))), 1),
    ];
  });
  const measured = ramp.flatMap((transport) => transport.steps.map((step) => step.row)).filter((row) => row.ok);
  const busiest = Math.max(0, ...measured.map((row) => (finite(row.otherCpuPct) ? row.otherCpuPct : 0)));
  const serverCpu = measured.map((row) => row.serverCpuPct).filter(finite);
  const ceilingOf = (scenario: Scenario) => ramp.find((entry) => entry.scenario === scenario)?.ceilingPerSec ?? null;
  const ratios = (
    [
      ["websocket", "bare-socketio"],
      ["websocket", "bare-ws"],
      ["sse", "bare-sse"],
    ] as const
  )
    .filter(([a, b]) => ceilingOf(a) !== null && ceilingOf(b) !== null)
    .map(([a, b]) => `- \`${a}\` reaches **${num(ceilingOf(a)! / ceilingOf(b)!, 2)}×** the ceiling of \`${b}\` (${int(ceilingOf(a))} vs ${int(ceilingOf(b))} deliveries/s).`);
  return [
    `${o.rampSubscribers} subscribers on one topic; each step a fresh server process (CPU 0) and load generator (CPU 1), publish rates ${o.rampRates.map(int).join(", ")} msg/s, ${o.warmupS} s warm-up and ${o.durationS} s measured per step. A step passes with p99 ≤ ${o.p99BoundMs} ms and no event lost, duplicated or out of order (late events get 20 s to arrive before they count as lost); a transport's ramp stops at its first failing step, and its ceiling is the deliveries/s measured at its last passing step.`,
    "",
    markdownTable(["row", "ceiling deliv/s", "at", "p99 there ms", "stopped at", "steps (msg/s→p99 ms)", "server CPU %", "load-gen CPU %", "other load % (max)"], rows),
    "",
    ...(ratios.length > 0 ? [...ratios, ""] : []),
    "A load-generator CPU near 100 % at the ceiling means the one-core load generator, not the server, set the limit: the ceiling is then a lower bound of the server's.",
    ...(busiest > BUSY_MACHINE_PCT
      ? [
          "",
          `**Measured on a busy machine.** Other processes used up to ${num(busiest, 0)} % of the machine (both cores) during these windows, while the servers' own CPU stayed at ${num(Math.min(...serverCpu), 0)}–${num(Math.max(...serverCpu), 0)} % of their core: a step failed because its server was starved of its core, not because its own work filled it. Read these ceilings as lower bounds and the ratios between transports as indicative only; rerun \`pnpm bench:lab --scenarios ramp\` on a quiet machine for the real ceilings.`,
        ]
      : []),
  ].join("\n");
}

function idleSection(results: LabResults): string {
  const idle = results.idle ?? [];
  if (idle.length === 0) return "_The idle scenario was not run._";
  const l = results.limits;
  const rows = idle.map((row) =>
    row.idle
      ? [
          row.scenario,
          `${int(row.idle.opened)}/${int(row.idle.requested)}`,
          int(row.idle.failed),
          num(row.idle.heapUsedPerConnKiB, 2),
          num(row.idle.totalPerConnKiB, 2),
          num(row.idle.rssPerConnKiB, 2),
          int(row.idle.serverConnections.after),
          num(row.idle.openMs / 1000, 1),
          num(row.idle.loadgenRssMiB, 0),
          row.idle.firstError ?? "",
        ]
      : [row.scenario, "–", "–", "–", "–", "–", "–", "–", "–", row.error ?? row.note ?? ""],
  );
  return [
    `${int(results.options.idleConnections)} connections requested per transport, each subscribed to the bench topic and receiving nothing. The server's memory is sampled after full garbage collections before and after; the difference is divided by the connections opened. Opened and failed are counted by the load generator; "server sockets" is what the server's own listener counts afterwards.`,
    "",
    markdownTable(["row", "opened/requested", "failed", "heap KiB/conn", "heap+external KiB/conn", "RSS KiB/conn", "server sockets", "open s", "load-gen RSS MiB", "note"], rows),
    "",
    `Limits on this machine: \`ulimit -n\` (open files per process) ${int(l.openFilesSoft)} soft / ${int(l.openFilesHard)} hard, inherited by the server and the load generator, which each hold one descriptor per connection (Node has no setrlimit, so the bench cannot raise it itself: raise it with \`ulimit -n\` before the run; the bench warns when it is below the connections asked for + 1,000). Ephemeral ports ${l.ephemeralPorts ? `${int(l.ephemeralPorts.first)}–${int(l.ephemeralPorts.last)} (${int(l.ephemeralPorts.last - l.ephemeralPorts.first + 1)} per destination address)` : "unknown"}: every connection goes to the one server address, so that range bounds a run too.`,
  ].join("\n");
}

function costSection(results: LabResults): string {
  const cost = results.cost ?? [];
  if (cost.length === 0) return "_The cost scenario was not run._";
  const rows = cost.map(({ scenario, subscribers, row }) =>
    row.ok
      ? [
          scenario,
          int(subscribers),
          num(row.latency.p50),
          num(row.latency.p99),
          num(row.cpuMsPer1k, 1),
          num(row.bytesPerMsg, 0),
          num(row.upBytesPerMsg, 0),
          num(row.requestsPerMsg, 3),
          num(row.serverCpuPct, 0),
          num(row.loadgenCpuPct, 0),
          num(row.otherCpuPct, 1),
          `${int(row.lost)}/${int(row.duplicates)}`,
          row.windowDeliveries === 0
            ? `saturated: no delivery inside the ${num(row.windowMs / 1000, 1)} s window (its samples came late); ${int(row.received)}/${int(row.expected)} delivered by the end of the drain`
            : "",
        ]
      : [scenario, int(subscribers), "failed", "", "", "", "", "", "", "", "", "", row.error ?? ""],
  );
  return [
    `The same publish rate (${num(results.options.costRate, 1)} msg/s, every subscriber receives every message) at ${results.options.costSizes.map(int).join(", ")} subscribers; ${results.options.warmupS} s warm-up, ${results.options.durationS} s measured. CPU is the server process's (user + system) per 1,000 deliveries; bytes are what the load generator's sockets read (down) and wrote (up), per delivery, headers and framing included.`,
    "",
    markdownTable(["row", "subscribers", "p50 ms", "p99 ms", "CPU ms/1k", "B/deliv down", "B/deliv up", "req/deliv", "server CPU %", "load-gen CPU %", "other load %", "lost/dup", "note"], rows),
  ].join("\n");
}

function complexitySection(results: LabResults): string {
  const rows = results.complexity.map((entry) => [
    entry.scenario,
    int(entry.server.ownCode),
    int(entry.server.totalCode),
    int(entry.client.ownCode),
    int(entry.client.totalCode),
    int(entry.server.totalCode + entry.client.totalCode),
    int(entry.failureModes.length),
  ]);
  const lists = results.complexity.map((entry) =>
    [
      `**${TRANSPORT_NAMES[entry.scenario]}** (server: ${entry.server.own.map((file) => `\`${file.file}\``).join(", ")}; shared: ${entry.server.shared.map((file) => `\`${file.file.split("/").at(-1)}\``).join(", ")}; client: ${entry.client.own.map((file) => `\`${file.file}\``).join(", ")}; shared: ${entry.client.shared.map((file) => `\`${file.file.split("/").at(-1)}\``).join(", ")})`,
      "",
      ...entry.failureModes.map((mode) => `- ${mode.mode} — ${mode.line === null ? `**not found in \`${mode.file}\` any more**` : `[\`${mode.file.split("/").slice(-2).join("/")}:${mode.line}\`](../${mode.file}#L${mode.line})`}`),
    ].join("\n"),
  );
  return [
    "Lines of code (not blank, not only a comment) of each transport's own files and with the shared bases it stands on (a shared file counts in full for every transport that uses it), server and client, read from the repository when the document is generated. The failure modes are the cases each transport needed code for, each linked to the line that handles it (found by a phrase of that code or its comment, so a mode whose code is gone shows as not found).",
    "",
    markdownTable(["row", "server own", "server with shared", "client own", "client with shared", "total", "failure modes handled"], rows),
    "",
    ...lists.flatMap((list) => [list, ""]),
  ].join("\n");
}

/** A Markdown table whose columns are all left-aligned (words, not figures). */
function wordTable(header: string[], rows: string[][]): string {
  const escape = (cell: string) => cell.replace(/\|/g, "\\|");
  return [`| ${header.map(escape).join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((row) => `| ${row.map(escape).join(" | ")} |`)].join("\n");
}

function comparisonTable(rows: ExplainerRow[]): string {
  return wordTable(
    ["feature", ...TRANSPORTS.map((scenario) => TRANSPORT_NAMES[scenario])],
    rows.map((row) => [row.feature, ...TRANSPORTS.map((scenario) => `${row.words[scenario]} → ${row.measured[scenario]}`)]),
  );
}

export function renderTransportsDoc(results: LabResults, charts: Chart[]): string {
  const rows = explainerRows(results);
  const chart = (name: string) => {
    const found = charts.find((entry) => entry.name === name);
    return found ? `![${found.title}](transports/${found.name}.svg)` : `_(chart ${name}: not in this run)_`;
  };
  const other = otherLoadMax(results);
  const m = results.machine;
  return [
    "# The transports, measured",
    "",
    "<!-- Generated by `pnpm bench:lab --docs` (apps/bench/src/lab/transports-doc.ts) from docs/transports/lab.json. Do not edit: rerun. -->",
    "",
    "The project started from an explainer of the four techniques (`realtime-techniques.md` in the team's shared reference, outside this repository), which compares them in words. This page reissues its comparison table: each of its words beside what this repository measures, and a correction with its evidence where the word does not hold. Every figure below comes from one run of the bench, written to [`docs/transports/lab.json`](transports/lab.json); the charts are drawn from that JSON with Vega-Lite.",
    "",
    `Run ${results.startedAt} → ${results.finishedAt} on ${m.cpus} × ${m.cpuModel}, ${num(m.memoryGiB, 0)} GiB, Node ${m.node}, ${m.platform}. Server and load generator each pinned to one core. Other processes used up to ${num(other, 1)} % of the machine during a measured window${other > 10 ? " — **the machine was shared during this run; figures from busy windows are skewed (see each table's other-load column)**" : ""}.${results.options.quick ? " **--quick run: smoke-test sizes, not representative.**" : ""}`,
    "",
    "Reproduce every figure and chart on this page:",
    "",
    "```sh",
    `${results.command}   # the run behind this page`,
    "pnpm bench:lab --docs                   # all five scenarios at full size, then this page",
    "pnpm bench:lab --from docs/transports/lab.json --docs   # redraw charts and page from the JSON",
    "```",
    "",
    "## The explainer's table, reissued",
    "",
    "Each cell: the explainer's word → what was measured here. The sections below say where the word holds and where it does not.",
    "",
    comparisonTable(rows),
    "",
    ...rows.flatMap((row) => [`### ${row.feature}`, "", row.verdict, ""]),
    "## Fan-out ramp: the highest deliveries/s at p99 ≤ " + `${results.options.p99BoundMs} ms`,
    "",
    rampSection(results),
    "",
    chart("fanout-ceiling"),
    "",
    chart("fanout-ramp"),
    "",
    `## ${int(results.options.idleConnections)} idle connections per transport`,
    "",
    idleSection(results),
    "",
    chart("idle-memory"),
    "",
    "## Cost against subscriber count",
    "",
    costSection(results),
    "",
    chart("cost-latency"),
    "",
    chart("cost-cpu"),
    "",
    chart("cost-bytes"),
    "",
    "## Reconnect storm: a restart under many clients, with and without jitter",
    "",
    stormSection(results),
    "",
    ...[...new Set((results.storm ?? []).map((row) => row.transport))].flatMap((transport) => [chart(`reconnect-storm-${transport}`), ""]),
    "## Seven SSE streams in Chromium: HTTP/1.1 against HTTP/2",
    "",
    h2Section(results),
    "",
    "## Complexity: code and failure modes",
    "",
    complexitySection(results),
    "## Method",
    "",
    "- Every row is one run of the bench's row runner (`apps/bench/src/run-row.ts`, the same as `pnpm bench`; see [benchmark.md](benchmark.md) for its method notes): a fresh server process — Switchboard's real `createServer`, or a bare baseline (socket.io `io.emit`, `ws`, Node `http` SSE, bare long-poll/poll) — and a fresh load-generator process of lean raw clients, on 127.0.0.1.",
    "- Latency is receive time − `sentAt` on the machine's monotonic clock, over first receipts of messages published in the measured window; loss, duplicates and order are counted per subscriber over every message of the row.",
    "- Short polling's latency includes the wait for the next poll (interval " + `${int(results.options.pollIntervalMs)} ms` + "), so it cannot pass a 100 ms bound at that interval whatever the server does.",
    "- The seven-streams rows run a real Chromium and a real nginx (HTTP/2 over TLS) in front of the same fresh service; the browser, not the load generator, is the client there.",
    "",
  ].join("\n");
}

/** A short text summary for the console. */
export function renderLabSummary(results: LabResults): string {
  const lines: string[] = [];
  for (const ramp of results.ramp ?? []) {
    const stop = ramp.steps.find((step) => !step.pass);
    lines.push(`ramp  ${ramp.scenario.padEnd(15)} ceiling ${ramp.ceilingPerSec === null ? "none" : `${int(ramp.ceilingPerSec)} deliveries/s`}${stop ? ` (stopped at ${int(stop.rate)} msg/s: ${stop.reason})` : " (not reached)"}`);
  }
  for (const row of results.idle ?? []) {
    lines.push(
      row.idle
        ? `idle  ${row.scenario.padEnd(15)} ${int(row.idle.opened)}/${int(row.idle.requested)} opened, ${num(row.idle.heapUsedPerConnKiB, 2)} KiB heap, ${num(row.idle.rssPerConnKiB, 2)} KiB RSS per connection`
        : `idle  ${row.scenario.padEnd(15)} ${row.error ?? row.note ?? ""}`,
    );
  }
  for (const { scenario, subscribers, row } of results.cost ?? []) {
    lines.push(
      row.ok
        ? `cost  ${scenario.padEnd(15)} ×${String(subscribers).padEnd(6)} p50 ${num(row.latency.p50)} ms, p99 ${num(row.latency.p99)} ms, ${num(row.cpuMsPer1k)} CPU ms/1k, ${num(row.bytesPerMsg, 0)} B/delivery, lost ${row.lost}, dup ${row.duplicates}`
        : `cost  ${scenario.padEnd(15)} ×${subscribers} failed: ${row.error}`,
    );
  }
  lines.push(...stormSummary(results));
  lines.push(...h2Summary(results));
  return lines.join("\n");
}
