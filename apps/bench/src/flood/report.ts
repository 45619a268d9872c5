import type { FloodResult, FloodWindow } from "../run-flood-row";
import type { AttackOutcome } from "./outcome";

/**
 * The flood rows in the report: the same well-behaved clients without and
 * with each attack (latency, loss, the server's peak RSS), the ratios, and
 * what the attacker got.
 */

const fmt = (value: number | null | undefined, digits = 2) => (value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits));
const fmtInt = (value: number | null | undefined) => (value === null || value === undefined || !Number.isFinite(value) ? "–" : Math.round(value).toLocaleString("en-US"));

export const FLOOD_HEADER = ["flood", "phase", "p50 ms", "p99 ms", "WS p99 ms", "SSE p99 ms", "lost/expected", "peak RSS MiB", "longest stall ms", "server CPU %", "other load %"];
export const FLOOD_RATIO_HEADER = ["flood", "p50 ×", "p99 ×", "peak RSS ×", "RSS high-water MiB", "result"];

/** Latencies of a window with undelivered messages are lower bounds (those count with the least latency they had). */
const bound = (window: FloodWindow, value: number | undefined) => `${window.lost > 0 && value !== undefined && Number.isFinite(value) ? "≥" : ""}${fmt(value)}`;

function groupP99(window: FloodWindow, scenario: string): string {
  return bound(window, window.groups.find((group) => group.scenario === scenario)?.latency.p99);
}

function windowCells(kind: string, phase: string, window: FloodWindow | undefined): string[] {
  if (!window) return [kind, phase, "–", "–", "–", "–", "–", "–", "–", "–", "–"];
  return [
    kind,
    phase,
    bound(window, window.latency.p50),
    bound(window, window.latency.p99),
    groupP99(window, "websocket"),
    groupP99(window, "sse"),
    `${fmtInt(window.lost)}/${fmtInt(window.expected)}`,
    fmt(window.peakRssMiB, 0),
    fmtInt(window.longestStallMs),
    fmt(window.serverCpuPct, 1),
    fmt(window.otherCpuPct, 1),
  ];
}

export function floodRows(floods: FloodResult[]): string[][] {
  return floods.flatMap((flood) => [windowCells(flood.kind, "no flood", flood.calm), windowCells(flood.kind, "flood", flood.flood)]);
}

export function floodRatioRows(floods: FloodResult[]): string[][] {
  return floods.map((flood) => [
    flood.kind,
    flood.flood ? bound(flood.flood, flood.ratios?.p50) : "–",
    flood.flood ? bound(flood.flood, flood.ratios?.p99) : "–",
    fmt(flood.ratios?.peakRss),
    fmt(flood.serverHighWaterMiB, 0),
    flood.ok ? "ok" : (flood.error ?? "failed"),
  ]);
}

const tally = (record: Record<string, number>) =>
  Object.keys(record).length === 0
    ? "none"
    : Object.entries(record)
        .map(([key, count]) => `${key} ×${count.toLocaleString("en-US")}`)
        .join(", ");

/** One line of what the attacker sent and how the server answered. */
export function attackSummary(outcome: AttackOutcome | undefined): string {
  if (!outcome) return "no outcome (the attacker failed)";
  const parts: string[] = [`from ${outcome.address}`];
  if (outcome.signIns.attempted > 0) parts.push(`guest sign-ins ${outcome.signIns.created}/${outcome.signIns.attempted} (${tally(outcome.signIns.byStatus)})`);
  const requests = outcome.requests;
  if (requests) {
    parts.push(`${fmtInt(requests.sent)} requests (${fmtInt(requests.achievedPerS)}/s): ${tally(requests.byStatus)}; ${requests.errors} failed`);
    if (requests.retryAfterS.length > 0) parts.push(`Retry-After ${Math.min(...requests.retryAfterS)}–${Math.max(...requests.retryAfterS)} s`);
  }
  if (outcome.created) parts.push(`sessions created ${fmtInt(outcome.created.sessions)} (users ${fmtInt(outcome.created.users)})`);
  const sockets = outcome.sockets;
  if (sockets) {
    parts.push(
      `${sockets.opened} sockets (refused: ${tally(sockets.refusedAtConnect)}), ${fmtInt(sockets.packetsSent)} subscribe packets unread`,
      `after the window: acks ok ${fmtInt(sockets.acksOk)}, refused ${tally(sockets.acksRefused)}; ${fmtInt(sockets.events)} events, ${sockets.resets} resets, ${fmt(sockets.bytesRead / 1024 / 1024, 1)} MiB read`,
      `closing notices ${tally(sockets.closing)}; closed by the server ${sockets.closedByServer} (codes ${tally(sockets.closeCodes)}), still open ${sockets.stillOpen}`,
    );
  }
  return parts.join("; ");
}

export function attackRows(floods: FloodResult[]): string[][] {
  return floods.map((flood) => [flood.kind, attackSummary(flood.attacker), `${flood.clientErrors} / ${flood.clientAnomalies}`]);
}

export const ATTACK_HEADER = ["flood", "attacker outcome", "client errors / anomalies"];

export const FLOOD_METHOD_NOTES = `- **Flood rows** (\`--flood subscribe,session,poll\`): per kind, a fresh Switchboard process with the service's **default config, limits included** (the normal rows pass generous limits instead; see \`src/servers/switchboard-config.ts\`), its own features giving the attacker what a deployment gives it: \`system:ticker\` (prefilled with an hour of ticks, then one a second) and \`echo:<userId>\`. The well-behaved clients (\`--subscribers\`, half WebSocket through socket.io-client, half SSE) each sign in once from their **own loopback source address** (127.0.x.y), so per-IP limits see distinct clients; the attacker runs in a **third process** (pinned with the load generator to CPU 1, so its CPU is charged to neither the server nor the meter) from its own address, 127.0.200.1.
- **Windows**: warm-up, then a window without the attack and a window with it (each \`--duration\`), on the same server and the same clients; ratios are flood ÷ no flood. Messages carry the time they were *due* (\`sentAt\` = scheduled time), so a server too busy to run its publisher timer shows up as latency. Lost = the window's messages a client had not received by the end of a 5 s drain after publishing stopped; they count in the percentiles with the least latency they had (end of the drain − due time), so a window with losses shows its latency as a lower bound (≥).
- **Longest stall**: the orchestrator keeps one IPC ping in flight to the server (a new one 100 ms after each answer); the longest a ping sent in the window waited is how long the server's event loop was busy, i.e. how long a request waited for the event loop (it can also wait behind other ready I/O, so read it as the longest wait, not always one uninterrupted task). A server still busy 60 s after the flood window is killed and the row marked so.
- **Server RSS** is read from \`/proc/<pid>/status\` by the orchestrator every 100 ms (it keeps sampling while the server's event loop is blocked); peak = highest sample in the window (the flood's: from its start to the end of the drain, since a blocked server keeps growing after the window); high-water = the process's \`VmHWM\`. A server passing \`--flood-rss-limit\` (4 GiB) is killed and the row marked so.
- **Subscribe flood** (finding F2): each attacker guest opens a raw socket.io connection (\`ws\` frames), learns the heads of \`system:ticker\` and its own \`echo:<id>\` (filled first with 2,000 × 2 KiB events), stops reading its socket, then sends bursts of 50 \`subscribe\` packets (both topics from far behind: the ticker's oldest hour, the echo topic from its start) every 500 ms, at most \`--flood-packets\` per socket. After the window it reads for 2 s to learn what it got: acks, refusals, \`closing\` reasons, close codes.
- **Session flood** (finding F5): 8 concurrent loops of \`POST /v1/session\` from one address for the window (at most 200,000 requests), counted by status; sessions created = rows added to the \`sessions\` table. **Poll flood**: the same loops of \`GET /v1/poll\` from the ticker's oldest event with one guest's token.
- **Caveat**: the machine is shared and has two cores; the flood window's latency includes whatever the attacker's process costs the load generator's core. Compare ratios within one run, not across runs.`;
