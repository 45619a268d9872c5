import type { RowResult } from "../run-row";
import type { Check } from "../report";

/** A Redis row beside the in-process row of the same transport, from the same run. */
export interface RedisComparison {
  row: RowResult["scenario"];
  deployment: NonNullable<RowResult["deployment"]>;
  instances: number;
  p50: number;
  p99: number;
  cpuPerMsg: number;
  /** With nginx's CPU added to the instances' (two-instance rows). */
  cpuPerMsgWithProxy: number;
  /**
   * Several instances: CPU per delivery over the in-process row at one instance's share of the
   * subscribers (the `shareOf` row), which is the same load per process. A Node process serving
   * half the requests costs more per request on its own (bare baselines too: docs/scaling.md).
   */
  cpuPerMsgSameLoad?: number;
}

/** The issue's targets at 1,000 subscribers × 20 msg/s, as ratios to the in-process hub. */
export const REDIS_TARGETS = { cpuPerMsg: 1.5, p99: 2 } as const;

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? Number.NaN : a / b;

const DEPLOYMENT_NAMES: Record<RedisComparison["deployment"], string> = {
  redis: "1 instance on Redis",
  "redis-2-nginx": "2 instances on Redis behind nginx",
};

export function describeDeployment(deployment: RedisComparison["deployment"]): string {
  return DEPLOYMENT_NAMES[deployment];
}

/**
 * The targets: CPU per delivery against the in-process row at the same load per process (for one
 * instance, the full in-process row; for N, the in-process row at 1/N of the subscribers), p99
 * against the full in-process row (the same audience, on the same core).
 */
export function compareRedis(
  inProcess: RowResult[],
  redisRows: RowResult[],
  shareRows: RowResult[] = [],
): { comparisons: RedisComparison[]; checks: Check[] } {
  const comparisons: RedisComparison[] = [];
  const checks: Check[] = [];
  for (const row of redisRows) {
    const deployment = row.deployment ?? "redis";
    const where = describeDeployment(deployment);
    if (!row.ok) {
      checks.push({ row: row.scenario, target: `${where}: row completed`, value: null, limit: 0, unit: "count", pass: false, note: row.error });
      continue;
    }
    const lostOrDoubled = row.lost + row.duplicates + row.outOfOrder;
    checks.push({ row: row.scenario, target: `${where}: 0 lost, 0 duplicated, in order`, value: lostOrDoubled, limit: 0, unit: "count", pass: lostOrDoubled === 0 });
    const base = inProcess.find((candidate) => candidate.ok && candidate.scenario === row.scenario);
    const comparison: RedisComparison = {
      row: row.scenario,
      deployment,
      instances: row.instances ?? 1,
      p50: ratio(row.latency.p50, base?.latency.p50),
      p99: ratio(row.latency.p99, base?.latency.p99),
      cpuPerMsg: ratio(row.cpuMsPer1k, base?.cpuMsPer1k),
      cpuPerMsgWithProxy: ratio(row.cpuMsPer1k + (row.proxyCpuMsPer1k ?? 0), base?.cpuMsPer1k),
    };
    const missing = base ? undefined : `in-process ${row.scenario} row missing`;
    const push = (target: string, value: number, limit: number, note?: string) =>
      checks.push({ row: row.scenario, target, value: Number.isFinite(value) ? value : null, limit, unit: "×", pass: Number.isFinite(value) ? value <= limit : null, note });
    const proxyNote = row.proxyCpuMsPer1k === undefined ? "" : `; with nginx's CPU: ${comparison.cpuPerMsgWithProxy.toFixed(2)}×`;
    if (comparison.instances === 1) {
      push(`${where}: CPU per delivery ≤ ${REDIS_TARGETS.cpuPerMsg}× in process`, comparison.cpuPerMsg, REDIS_TARGETS.cpuPerMsg, missing);
    } else {
      const share = shareRows.find((candidate) => candidate.ok && candidate.scenario === row.scenario && candidate.shareOf === comparison.instances);
      comparison.cpuPerMsgSameLoad = ratio(row.cpuMsPer1k, share?.cpuMsPer1k);
      const note = share
        ? `${comparison.cpuPerMsg.toFixed(2)}× the in-process row at all ${base?.subscribers ?? "the"} subscribers${proxyNote}`
        : `in-process ${row.scenario} row at 1/${comparison.instances} of the subscribers missing`;
      push(
        `${where}: CPU per delivery ≤ ${REDIS_TARGETS.cpuPerMsg}× in process at one instance's load (${share?.subscribers ?? `1/${comparison.instances}`} subscribers)`,
        comparison.cpuPerMsgSameLoad,
        REDIS_TARGETS.cpuPerMsg,
        note,
      );
    }
    push(`${where}: p99 latency ≤ ${REDIS_TARGETS.p99}× in process`, comparison.p99, REDIS_TARGETS.p99, missing);
    comparisons.push(comparison);
  }
  return { comparisons, checks };
}

const fmt = (value: number | undefined, digits = 2) => (value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits));

export const REDIS_HEADER = [
  "row",
  "deployment",
  "p50 ms",
  "p99 ms",
  "CPU ms/1k",
  "nginx CPU ms/1k",
  "Redis calls/msg",
  "Redis calls/1k deliv",
  "p50 ×",
  "p99 ×",
  "CPU/msg ×",
  "CPU/msg × same load",
  "lost",
  "dup",
];

/** The columns after row, deployment and the row's own p50, p99 and CPU, in REDIS_HEADER's order. */
interface RedisLineExtras {
  nginxCpu: string;
  callsPerMsg: string;
  callsPer1k: string;
  p50: number | undefined;
  p99: number | undefined;
  cpuPerMsg: number | undefined;
  cpuPerMsgSameLoad: number | undefined;
}

function redisLine(row: RowResult, where: string, extras: RedisLineExtras): string[] {
  if (!row.ok) return [row.scenario, where, "failed", ...Array<string>(REDIS_HEADER.length - 3).fill("")];
  return [
    row.scenario,
    where,
    fmt(row.latency.p50),
    fmt(row.latency.p99),
    fmt(row.cpuMsPer1k, 1),
    extras.nginxCpu,
    extras.callsPerMsg,
    extras.callsPer1k,
    fmt(extras.p50),
    fmt(extras.p99),
    fmt(extras.cpuPerMsg),
    extras.cpuPerMsgSameLoad === undefined ? "" : fmt(extras.cpuPerMsgSameLoad),
    String(row.lost),
    String(row.duplicates),
  ];
}

/** One line per Redis row, with its ratios to the in-process rows; then the in-process rows at one instance's share. */
export function redisCells(rows: RowResult[], comparisons: RedisComparison[], shareRows: RowResult[] = [], inProcess: RowResult[] = []): string[][] {
  const deployed = rows.map((row) => {
    const c = comparisons.find((entry) => entry.row === row.scenario && entry.deployment === row.deployment);
    return redisLine(row, describeDeployment(row.deployment ?? "redis"), {
      nginxCpu: row.proxyCpuMsPer1k === undefined ? "n/a" : fmt(row.proxyCpuMsPer1k, 1),
      callsPerMsg: fmt(row.redisCallsPerMessage, 1),
      callsPer1k: fmt((row.redisCallsPerDelivery ?? Number.NaN) * 1000, 1),
      p50: c?.p50,
      p99: c?.p99,
      cpuPerMsg: c?.cpuPerMsg,
      // One instance: the full in-process row is already the same load.
      cpuPerMsgSameLoad: (c?.instances ?? 1) === 1 ? (c?.cpuPerMsg ?? Number.NaN) : (c?.cpuPerMsgSameLoad ?? Number.NaN),
    });
  });
  const shares = shareRows.map((row) => {
    const base = inProcess.find((candidate) => candidate.ok && candidate.scenario === row.scenario);
    return redisLine(row, `in process, ${row.subscribers} subscribers (1/${row.shareOf ?? "?"})`, {
      nginxCpu: "n/a",
      callsPerMsg: "n/a",
      callsPer1k: "n/a",
      p50: ratio(row.latency.p50, base?.latency.p50),
      p99: ratio(row.latency.p99, base?.latency.p99),
      cpuPerMsg: ratio(row.cpuMsPer1k, base?.cpuMsPer1k),
      cpuPerMsgSameLoad: undefined,
    });
  });
  return [...deployed, ...shares];
}

export const REDIS_METHOD_NOTES = `- **Redis rows** (\`--redis\`): each Switchboard transport again, on Redis (\`REDIS_URL\`: the hub's logs, fan-out, presence, limits and tickets there, under a key prefix of the row's own, deleted afterwards), and on one PostgreSQL database created for the run (sessions must be known to every instance): once as 1 instance, once as 2 instances behind a real nginx (round-robin, no stickiness), the subscribers spread over both by nginx and the first instance publishing. Both instances are pinned to CPU 0, like the in-process row's one process, so CPU per delivery compares the same core's work; it is the instances' CPU summed, nginx's (master and workers, from /proc) listed beside it and left out of "other load". Ratios are to the in-process row of the same transport in the same run. **Same load:** each of the 2 instances serves half the subscribers, and on this machine a lone process at half the load already costs more per delivery (the bare poll server too: 1.8× at 500 pollers against 1,000; docs/scaling.md); so the bench also runs each transport in process at half the subscribers (the "1/2" rows), and the 2-instance row's CPU target is its ratio to that row ("CPU/msg × same load"), the in-process hub at the same load per process. Its p99 target is against the full in-process row, which serves the same audience on the same core. **Redis calls** are the Redis server's INFO commandstats calls (every client of that Redis) over the window, per published message and per 1,000 deliveries.`;
