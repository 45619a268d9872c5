import { markdownTable } from "../report";
import { int, num } from "./format";
import type { LabResults } from "./lab-results";
import { stormBackoff } from "./storm-chart";
import type { StormRow } from "./storm";

/** docs/transports.md's reconnect-storm section: the rows of the run's JSON, the prose typed here. */

const seconds = (ms: number | null) => (ms === null ? "not all back" : num(ms / 1000, 2));
const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);

function comparison(rows: StormRow[]): string[] {
  const out: string[] = [];
  for (const transport of new Set(rows.map((row) => row.transport))) {
    const jitter = rows.find((row) => row.ok && row.transport === transport && row.jitter);
    const fixed = rows.find((row) => row.ok && row.transport === transport && !row.jitter);
    if (!jitter || !fixed) continue;
    out.push(
      `- \`${transport}\`: without jitter the restarted service took **${int(fixed.peakRequests)} requests in its busiest 100 ms**, with full jitter **${int(jitter.peakRequests)}** (${num(fixed.peakRequests / Math.max(1, jitter.peakRequests), 1)}× less at the peak). Every client was back ${seconds(fixed.allBackMs)} s after the restart without jitter and ${seconds(jitter.allBackMs)} s with it: jitter flattens the peak and pays with a longer tail, as each client waits a random share of a window that doubles with every failed attempt.`,
    );
  }
  return out;
}

export function stormSection(results: LabResults): string {
  const rows = results.storm ?? [];
  if (rows.length === 0) return "_The reconnect storm was not run._";
  const table = rows.map((row) =>
    row.ok
      ? [row.transport, stormBackoff(row), `${int(row.opened)}/${int(row.clients)}`, num(row.downtimeMs / 1000, 1), int(row.peakRequests), int(row.peakConnections), int(total(row.requests)), seconds(row.allBackMs), int(row.published), `${int(row.lost)}/${int(row.duplicates)}`, int(row.resets), int(row.errors), num(row.otherCpuPct, 0)]
      : [row.transport, stormBackoff(row), "failed", "", "", "", "", "", "", "", "", row.error ?? ""],
  );
  return [
    `${int(rows[0]!.clients)} clients of the real SDK (\`@repo/client\`, its own reconnect: a backoff whose ceiling starts at 500 ms and doubles to 30 s) in one load process, all subscribed to one topic, against the real service on Redis (its event log outlives the process) and PostgreSQL (the sessions do too). The service publishes 20 events/s; it is killed with SIGKILL, stays dead 2 s, and a new process starts on the same port (the time it takes to start is part of "down"), publishing again at once. The new process counts every TCP connection and every HTTP request (WebSocket upgrades included) it receives per 100 ms from the moment it listens: the load curve is measured at the server. Then every client must have every event of the topic exactly once (resumed by cursor; none lost, none duplicated, no reset). The run is made twice with the same N: with the SDK's full-jitter backoff (a random delay between 0 and the ceiling), and with \`reconnect: { jitter: false }\` (every client waits the whole ceiling, so all retry at the same instants).`,
    "",
    markdownTable(["transport", "backoff", "clients open", "down s", "peak req/100 ms", "peak conn/100 ms", "requests until all back +1 s", "all back after s", "events", "lost/dup", "resets", "client errors", "other load %"], table),
    "",
    ...comparison(rows),
    "",
    "The clients share one process and one core, so even without jitter their retries leave over a few hundred milliseconds rather than in one instant (each client's socket is made in turn); a fleet of real devices would be more synchronised, so the peak without jitter is a lower bound. Other load is the share of the machine used by anything but the service and the clients from the restart until all were back: where it is high, the service was starved of its core and the curve is flattened by that. The service counts a connection when its event loop accepts it: a burst it cannot keep up with waits in the kernel's backlog and shows as a longer plateau instead of a taller peak. Reproduce this section alone, then merge it into the other scenarios' JSON:",
    "",
    "```sh",
    "pnpm bench:lab --scenarios storm            # writes bench/results/lab-<time>/lab.json",
    "pnpm bench:lab --from docs/transports/lab.json,bench/results/lab-<time>/lab.json --docs   # each scenario from the last file that has it",
    "```",
  ].join("\n");
}

export function stormSummary(results: LabResults): string[] {
  return (results.storm ?? []).map((row) =>
    row.ok
      ? `storm ${row.transport.padEnd(15)} ${stormBackoff(row).padEnd(11)} ×${row.clients}: peak ${row.peakRequests} req/100 ms, all back ${seconds(row.allBackMs)} s, lost ${row.lost}, dup ${row.duplicates}`
      : `storm ${row.transport.padEnd(15)} ${stormBackoff(row)} failed: ${row.error}`,
  );
}

/**
 * docs/transports/reconnect-storm.json: the storm rows alone, small enough for
 * the web app's lab panel to import at build time (a browser cannot run the
 * thousand clients; it shows the last run's curve and the command).
 */
export function stormFigures(results: LabResults): string | undefined {
  if (!results.storm || results.storm.length === 0) return undefined;
  const figures = {
    generatedBy: "pnpm bench:lab --docs (apps/bench/src/lab/storm-doc.ts); do not edit",
    startedAt: results.startedAt,
    command: results.command,
    machine: `${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}`,
    rows: results.storm.map(({ transport, jitter, clients, opened, ok, downtimeMs, bucketMs, requests, connections, back, peakRequests, peakConnections, allBackMs, published, lost, duplicates, resets }) => ({
      transport, jitter, clients, opened, ok, downtimeMs: Math.round(downtimeMs), bucketMs, requests, connections, back, peakRequests, peakConnections, allBackMs: allBackMs === null ? null : Math.round(allBackMs), published, lost, duplicates, resets,
    })),
  };
  return `${JSON.stringify(figures, null, 2)}\n`;
}
