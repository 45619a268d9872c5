import { readFile } from "node:fs/promises";
import type { IdleResult, RowResult } from "../run-row";
import { holdsIdleConnections, type Scenario } from "../scenarios";
import { rowOptions, type LabOptions } from "./lab-options";
import { measureRow, type Log } from "./measure-row";

export interface IdleRow {
  scenario: Scenario;
  requested: number;
  /** null: the transport holds no connection between requests (short polling), or the row failed. */
  idle: IdleResult | null;
  error?: string;
  note?: string;
}

/** What bounds how many connections one process can hold here, read from the kernel. */
export interface ConnectionLimits {
  /** RLIMIT_NOFILE of this process (children inherit it): every socket is a file descriptor. */
  openFilesSoft: number | null;
  openFilesHard: number | null;
  /** Local ports the load generator's connections draw from (one per connection to the one server address). */
  ephemeralPorts: { first: number; last: number } | null;
}

export async function connectionLimits(): Promise<ConnectionLimits> {
  const limits = await readFile("/proc/self/limits", "utf8").catch(() => "");
  const files = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(limits);
  const asNumber = (text: string | undefined) => (text === undefined ? null : text === "unlimited" ? Number.POSITIVE_INFINITY : Number(text));
  const range = await readFile("/proc/sys/net/ipv4/ip_local_port_range", "utf8").catch(() => "");
  const [first, last] = range.trim().split(/\s+/).map(Number);
  return {
    openFilesSoft: asNumber(files?.[1]),
    openFilesHard: asNumber(files?.[2]),
    ephemeralPorts: first && last ? { first, last } : null,
  };
}

/**
 * N idle connections on one transport: the bench's row runner with one
 * subscriber for a second (so the row is signed in and its server up), then
 * its idle phase: gc → heap; open N subscribed connections that receive
 * nothing; gc → heap; the difference over N, with opened and failed counts.
 */
export async function runIdle(scenario: Scenario, lab: LabOptions, log: Log): Promise<IdleRow> {
  const requested = lab.idleConnections;
  if (!holdsIdleConnections(scenario)) return { scenario, requested, idle: null, note: "short polling holds no connection between polls" };
  const options = { ...rowOptions(lab, { subscribers: 1, rate: 1, idle: requested }), warmupS: 0, durationS: 1, retries: 0 };
  const row: RowResult = await measureRow(scenario, options, `idle ${scenario}`, log);
  if (!row.ok || !row.idle) return { scenario, requested, idle: null, error: row.error ?? "no idle figure" };
  return { scenario, requested, idle: row.idle };
}
