import { BUSY_MACHINE_PCT, markdownTable, textTable, type Machine } from "../report";
import { LOST_AFTER_MS, rowPassed, type FlipRow } from "./flip-row";
import type { FlagBenchOptions } from "./options";
import { pairName } from "./pairs";

export interface FlagBenchResults {
  version: 1;
  startedAt: string;
  finishedAt: string;
  options: FlagBenchOptions;
  machine: Machine;
  /** Whether the service and the clients ran pinned to CPU 0 and 1. */
  pinned: boolean;
  rows: FlipRow[];
  /** Rows that lost, doubled or reordered a message, left a client behind or failed. */
  failed: number;
}

const ms = (value: number | null) => (value === null || !Number.isFinite(value) ? "–" : value.toFixed(0));

const HEADER = ["row", "clients", "p50 ms", "p99 ms", "last ms", "unswitched", "PUT ms", "messages", "lost", "doubled", "out of order", "drain ms", "other load %", "result"];

function cells(row: FlipRow): string[] {
  if (!row.ok) return [pairName(row), String(row.clients), "", "", "", String(row.unswitched), "", "", "", "", "", "", "", `FAILED: ${row.error ?? ""}`];
  return [
    pairName(row),
    String(row.clients),
    ms(row.latency.p50),
    ms(row.latency.p99),
    ms(row.lastMs),
    String(row.unswitched),
    ms(row.putMs),
    String(row.published),
    String(row.lost),
    String(row.doubled),
    String(row.outOfOrder),
    ms(row.drainedMs),
    ms(row.otherCpuPct),
    rowPassed(row) ? "ok" : "FAIL",
  ];
}

const clientCounts = (results: FlagBenchResults) => [...new Set(results.rows.map((row) => row.clients))];

/** The slowest pair's last client at each client count. */
function headline(results: FlagBenchResults): string[] {
  return clientCounts(results).map((clients) => {
    const rows = results.rows.filter((row) => row.clients === clients && row.ok);
    const worst = rows.reduce<FlipRow | undefined>((slowest, row) => (!slowest || !(row.lastMs <= slowest.lastMs) ? row : slowest), undefined);
    if (!worst) return `- ${clients.toLocaleString("en")} clients: no row completed`;
    const last = Number.isFinite(worst.lastMs) ? `last client after ${ms(worst.lastMs)} ms` : `${worst.unswitched} client(s) never switched`;
    return `- ${clients.toLocaleString("en")} clients: the slowest flip was ${pairName(worst)}, ${last}`;
  });
}

/** Rows measured while other processes kept the machine busy: their times are not the service's. */
function busyNote(results: FlagBenchResults): string[] {
  const busy = results.rows.filter((row) => row.otherCpuPct > BUSY_MACHINE_PCT);
  if (busy.length === 0) return [];
  return [
    "",
    `Warning: other processes used more than ${BUSY_MACHINE_PCT} % of the machine's CPU during ${busy.length} of ${results.rows.length} rows (most: ${Math.max(...busy.map((row) => row.otherCpuPct)).toFixed(0)} %); their times are skewed. Rerun on a quiet machine.`,
  ];
}

export function renderFlagsText(results: FlagBenchResults): string {
  return [
    "Time from the PUT of transport.chat to each client open on the new transport:",
    textTable(HEADER, results.rows.map(cells)),
    "",
    ...headline(results),
    ...busyNote(results),
    results.failed > 0 ? `\n${results.failed} row(s) FAILED (lost, doubled, out of order, unswitched or not completed).` : "\nEvery row: every client switched, nothing lost, doubled or out of order.",
  ].join("\n");
}

export const FLAGS_METHOD_NOTES = `- **Processes.** The real realtime service (\`createServer\` with its default features, an in-memory PGlite database, an \`OPERATOR_TOKEN\`, limits raised since every client comes from 127.0.0.1) in its own process, pinned to CPU 0; N SDK clients in a load process on CPU 1; the orchestrator (operator and publisher) in a third. A fresh service and load process for each client count.
- **Clients.** N signed-in guests, each with one \`@repo/client\` \`createClient\` following \`transport.chat\` with \`followTransportFlag\` and subscribed to one chat room (they joined it first, over \`POST /v1/commands\`). Short polling uses the interval the service advises.
- **Messages.** Publisher guests on WebSocket (following no flag) send \`flagbench <n>\` into the room at the steady rate through every row, taking turns under \`chat.send\`'s per-user limit, one send at a time so the room's order is the numbers' order. Each client counts every number it receives: a number never received is lost, a second copy doubled, one after a higher number out of order; the first message id seen for a number must match the one the publisher got back.
- **A row.** The publisher starts; if the flag is not on \`from\` yet, one PUT puts it there and everyone must be open on \`from\` (the rows are ordered so that each starts where the last ended: all 12 form one circuit, so this happens only where \`--pairs\` breaks it); the clients settle on \`from\` (\`--settle\`); then \`PUT /v1/admin/flags\` (If-Match on the etag just read) sets \`transport.chat\`'s default variant to \`to\`. A client's time is from the moment that PUT is sent until its status is \`open\` with \`to\` in use (the shared monotonic clock of both processes). After the last client, messages flow for 1 s more, the publisher stops, and the row is reckoned once every client has every number; **drain ms** is how long after the stop that took. A number still missing ${LOST_AFTER_MS / 1000} s after the stop counts as lost.
- **Other load.** Per row, the share of the machine's CPU (all cores, \`os.cpus()\`) used by anything but the bench's three processes (theirs read from \`/proc/<pid>/stat\`). Above ${BUSY_MACHINE_PCT} % the times are skewed by other work, and the report says so.
- **Path of a flip.** The PUT is validated, saved with its audit entry and put in force; the service publishes \`flags.changed\` on \`flags:changes\`, which each client hears on its own transport (a short poller at its next poll); the SDK evaluates the flag over OFREP and switches in place from its cursors.`;

export function renderFlagsMarkdown(results: FlagBenchResults): string {
  const o = results.options;
  return [
    "# Flag flip: time to the last client switched",
    "",
    "Generated by `pnpm bench:flags` (apps/bench).",
    "",
    "## Parameters",
    "",
    `- Clients: ${o.clients.join(", ")}; pairs: ${o.pairs.map((pair) => `\`${pair.from}:${pair.to}\``).join(", ")}`,
    `- Chat messages: ${o.rate}/s through every row; settle ${o.settleS} s on \`from\`; switch timeout ${o.switchTimeoutS} s`,
    `- Machine: ${results.machine.cpus} × ${results.machine.cpuModel}, ${results.machine.memoryGiB.toFixed(0)} GiB, Node ${results.machine.node}, ${results.machine.platform}${results.pinned ? "; service on CPU 0, clients on CPU 1" : ""}`,
    `- Run: ${results.startedAt} → ${results.finishedAt}${o.quick ? " (**--quick**: smoke-test sizes, not representative)" : ""}`,
    "",
    "## Results",
    "",
    "Milliseconds from the moment the flag's PUT is sent until each client is open on the new transport; **last** is the slowest client.",
    "",
    markdownTable(HEADER, results.rows.map(cells)),
    "",
    ...headline(results),
    ...busyNote(results),
    "",
    "## Method",
    "",
    FLAGS_METHOD_NOTES,
    "",
  ].join("\n");
}
