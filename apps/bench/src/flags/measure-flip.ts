import { setTimeout as sleep } from "node:timers/promises";
import type { TransportName } from "@repo/protocol";
import type { ChildHandle } from "../ipc";
import { monotonicMs } from "../message";
import { summarize } from "../stats";
import type { ChatPublisher } from "./chat-publisher";
import type { FlagAdmin } from "./flag-admin";
import { DRAIN_MS, failedFlipRow, LOST_AFTER_MS, type FlipRow } from "./flip-row";
import type { MachineLoad } from "./machine-load";
import type { FlagBenchOptions } from "./options";
import { pairName, type TransportPair } from "./pairs";
import type { SwitchersApi } from "./switchers-process";

/** Messages still flowing on the new transport after the last client switched, before the publisher stops. */
const AFTER_SWITCH_MS = 1000;
const POLL_MS = 100;

export type Progress = (message: string) => void;

/** Everything a row drives: the clients' process, the operator, the publisher, and where the flag stands. */
export interface Rig {
  switchers: ChildHandle<SwitchersApi>;
  admin: FlagAdmin;
  publisher: ChatPublisher;
  options: FlagBenchOptions;
  clients: number;
  progress: Progress;
  /** What `transport.chat` says now. */
  flag: TransportName;
  load: MachineLoad;
}

/** Waits until every client is open on `transport`, with a progress line a second; returns how many are not (0: all). */
async function waitUntilAllOn(rig: Rig, transport: TransportName, timeoutMs: number): Promise<number> {
  const deadline = monotonicMs() + timeoutMs;
  let said = monotonicMs();
  for (;;) {
    const { on, of } = await rig.switchers.call("countOn", { transport });
    if (on === of || monotonicMs() > deadline) return of - on;
    if (monotonicMs() - said >= 1000) {
      rig.progress(`  ${on}/${of} open on ${transport}`);
      said = monotonicMs();
    }
    await sleep(POLL_MS);
  }
}

/** Puts every client on `transport` with a flag edit (not measured as a row); returns ms to the last one. */
async function moveEveryone(rig: Rig, transport: TransportName): Promise<number> {
  const edit = await rig.admin.setChatTransport(transport, `flags bench: everyone on ${transport} first`);
  rig.flag = transport;
  const behind = await waitUntilAllOn(rig, transport, rig.options.switchTimeoutS * 1000);
  if (behind > 0) throw new Error(`${behind} of ${rig.clients} clients were not open on ${transport} within ${rig.options.switchTimeoutS} s of the flag saying so`);
  return monotonicMs() - edit.sentAt;
}

/**
 * Waits until every client has every number in (after, through]: ms from the
 * publisher's stop until then, or null when some were still missing LATE_MS
 * past the drain (they count as lost). Past DRAIN_MS, says who is behind.
 */
async function drainRow(rig: Rig, after: number, through: number): Promise<{ drainedMs: number | null }> {
  const stoppedAt = monotonicMs();
  let warned = false;
  let said = stoppedAt;
  for (;;) {
    const missing = await rig.switchers.call("allReceived", { after, through });
    const waited = monotonicMs() - stoppedAt;
    if (missing === 0) return { drainedMs: waited };
    if (waited > LOST_AFTER_MS) return { drainedMs: null };
    if (waited > DRAIN_MS && (!warned || monotonicMs() - said >= 5000)) {
      const behind = await rig.switchers.call("stragglers", { after, through, limit: 3 });
      const who = behind.map((s) => `${s.transport} ${s.status}, missing ${s.missing} from #${s.firstMissing ?? "?"} (highest #${s.highestSeen})`).join("; ");
      rig.progress(`  ${missing} client(s) still missing messages ${(waited / 1000).toFixed(0)} s after the last of #${through}: ${who}`);
      warned = true;
      said = monotonicMs();
    }
    await sleep(POLL_MS);
  }
}

/** One row: the publisher runs throughout; everyone on `from` (an extra flip if need be), settle, flip to `to`, time it, drain, reckon. */
export async function measureFlip(rig: Rig, pair: TransportPair): Promise<FlipRow> {
  const { switchers, publisher, options } = rig;
  await switchers.call("beginRow", undefined);
  const after = publisher.lastSeq;
  const refusedBefore = publisher.refused;
  const rowStartedAt = monotonicMs();
  const loadMark = await rig.load.mark();
  publisher.start(options.rate);
  let published = after;
  try {
    const setMs = rig.flag === pair.from ? null : await moveEveryone(rig, pair.from);
    if (setMs === null) {
      // The flag already says `from`, but the last flip may have left some behind (a failed evaluation waits for the next change).
      const behind = await waitUntilAllOn(rig, pair.from, options.switchTimeoutS * 1000);
      if (behind > 0) throw new Error(`${behind} of ${rig.clients} clients were still not on ${pair.from}, left behind by the previous flip`);
    }
    await sleep(options.settleS * 1000);

    await switchers.call("watchFor", { to: pair.to });
    const edit = await rig.admin.setChatTransport(pair.to, `flags bench: ${pairName(pair)} with ${rig.clients} clients`);
    rig.flag = pair.to;
    if (!edit.flagsChanged.includes("transport.chat")) throw new Error(`the PUT changed ${edit.flagsChanged.join(", ") || "nothing"}, not transport.chat`);
    const deadline = edit.sentAt + options.switchTimeoutS * 1000;
    let said = monotonicMs();
    let times: number[] = [];
    for (;;) {
      const state = await switchers.call("switchTimes", undefined);
      times = state.times;
      if (state.waiting === 0 || monotonicMs() > deadline) break;
      if (monotonicMs() - said >= 1000) {
        rig.progress(`  ${times.length}/${rig.clients} open on ${pair.to} after ${(monotonicMs() - edit.sentAt).toFixed(0)} ms`);
        said = monotonicMs();
      }
      await sleep(POLL_MS);
    }
    await sleep(AFTER_SWITCH_MS);
    published = await publisher.stop();
    if (publisher.failure) throw publisher.failure;

    const drain = await drainRow(rig, after, published);
    const reckoning = await switchers.call("endRow", { after, through: published, publishedIds: publisher.ids.slice(after, published) });
    const latency = summarize(times.map((at) => at - edit.sentAt));
    const unswitched = rig.clients - times.length;
    return {
      clients: rig.clients,
      ...pair,
      ok: true,
      switched: times.length,
      unswitched,
      latency,
      lastMs: unswitched === 0 ? latency.max : Number.NaN,
      putMs: edit.answeredAt - edit.sentAt,
      setMs,
      published: published - after,
      ratePerS: ((published - after) * 1000) / (monotonicMs() - rowStartedAt),
      lost: reckoning.lost,
      doubled: reckoning.doubled,
      outOfOrder: reckoning.outOfOrder,
      clientsMissing: reckoning.clientsMissing,
      mismatched: reckoning.mismatched,
      switches: reckoning.switches,
      clientErrors: reckoning.errors,
      firstClientError: reckoning.firstError,
      refusedSends: publisher.refused - refusedBefore,
      drained: drain.drainedMs !== null && drain.drainedMs <= DRAIN_MS,
      drainedMs: drain.drainedMs,
      otherCpuPct: await rig.load.otherPctSince(loadMark),
    };
  } catch (error) {
    await publisher.stop();
    return failedFlipRow(rig.clients, pair, error);
  }
}

/** The row's progress line. */
export function describeRow(row: FlipRow): string {
  if (!row.ok) return `FAILED: ${row.error}`;
  const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : "–");
  return (
    `${row.switched}/${row.clients} switched: p50 ${ms(row.latency.p50)} ms, p99 ${ms(row.latency.p99)} ms, last ${ms(row.lastMs)} ms; ` +
    `${row.published} messages, lost ${row.lost}, doubled ${row.doubled}, out of order ${row.outOfOrder}, all delivered ${ms(row.drainedMs ?? Number.NaN)} ms after the last` +
    (Number.isFinite(row.otherCpuPct) ? `; other processes used ${row.otherCpuPct.toFixed(0)} % of the machine` : "") +
    (row.clientErrors > 0 ? `; ${row.clientErrors} client errors (first: ${row.firstClientError})` : "")
  );
}

