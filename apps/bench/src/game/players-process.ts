/**
 * The load generator of `pnpm bench:game`, in its own process (pinned to CPU
 * 1): the tables of scripted players (SDK clients on Switchboard, raw
 * socket.io clients on the bare server), their figures, and the wire bytes and
 * HTTP requests of every socket this process opens.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { serveApi } from "../ipc";
import { wireBytes } from "../loadgen/meter";
import { monotonicMs } from "../message";
import { summarize } from "../stats";
import { BareTable } from "./bare-table";
import { LeanBareHost, LeanSwitchboardHost } from "./lean-hosts";
import { httpRequests } from "./request-counter";
import type { GameServerKind } from "./servers/game-server";
import { SwitchboardTable, type Table, type TableContext, type TableSpec } from "./switchboard-table";
import type { PlayerTally } from "./tally";

let context: (TableContext & { server: GameServerKind }) | undefined;
const tables: Table[] = [];
let nextIndex = 1;

function current() {
  if (!context) throw new Error("start first");
  return context;
}

const tallies = (): PlayerTally[] => tables.flatMap((table) => table.players.map((player) => player.tally));

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight; collects failures. */
async function inBatches(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<Error[]> {
  const failures: Error[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failures.push(error instanceof Error ? error : new Error(String(error)));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return failures;
}

function mark() {
  return { t: monotonicMs(), bytes: wireBytes(), requests: httpRequests(), cpu: process.cpuUsage() };
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

const api = {
  start(args: TableContext & { server: GameServerKind }) {
    context = args;
    return null;
  },

  /**
   * Opens `count` more tables: SDK players who play (each signed in, seated,
   * the match started and seen by all), or with `lean` one light host per
   * game that only follows it (the capacity ramp).
   */
  async openTables(args: { count: number; spec: Omit<TableSpec, "index">; concurrency: number; lean: boolean }) {
    const ctx = current();
    const startedAt = monotonicMs();
    const open = (spec: TableSpec): Promise<Table> => {
      if (args.lean) return ctx.server === "switchboard" ? LeanSwitchboardHost.open(ctx, spec) : LeanBareHost.open(ctx, spec);
      return ctx.server === "switchboard" ? SwitchboardTable.open(ctx, spec) : BareTable.open(ctx, spec);
    };
    const failures = await inBatches(args.count, args.concurrency, async () => {
      tables.push(await open({ ...args.spec, index: nextIndex++ }));
    });
    return { opened: args.count - failures.length, failed: failures.length, firstError: failures[0]?.message, ms: monotonicMs() - startedAt, tables: tables.length };
  },

  beginWindow() {
    for (const tally of tallies()) tally.openWindow();
    return mark();
  },

  endWindow() {
    const at = mark();
    for (const tally of tallies()) tally.closeWindow();
    return at;
  },

  /**
   * The window's figures over every player, once the inputs sent in it have
   * settled (applied, refused or dropped) or `drainMs` passed.
   */
  async report(args: { drainMs: number }) {
    const deadline = monotonicMs() + args.drainMs;
    const unsettled = () => tables.some((table) => table.players.some((player) => player.follower?.hasSampledPending));
    while (unsettled() && monotonicMs() < deadline) await sleep(20);
    const all = tallies();
    const refused: Record<string, number> = {};
    for (const tally of all) for (const [code, count] of Object.entries(tally.refused)) refused[code] = (refused[code] ?? 0) + count;
    return {
      players: all.length,
      tables: tables.length,
      latency: summarize(all.flatMap((tally) => tally.latencies)),
      tickAge: summarize(all.flatMap((tally) => tally.tickAges)),
      ticks: sum(all.map((t) => t.ticks)),
      /** Players that applied no tick in the window (each should have about tick rate × window). */
      silent: all.filter((t) => t.ticks === 0).length,
      updates: sum(all.map((t) => t.updates)),
      inputs: {
        sent: sum(all.map((t) => t.inputsSent)),
        applied: sum(all.map((t) => t.inputsApplied)),
        lateAnswers: sum(all.map((t) => t.lateAnswers)),
        lateTicks: sum(all.map((t) => t.lateTicks)),
        dropped: sum(all.map((t) => t.dropped)),
        unsettled: unsettled(),
        refused,
      },
      correctness: {
        games: sum(all.map((t) => t.games)),
        hashChecks: sum(all.map((t) => t.hashChecks)),
        desyncs: sum(all.map((t) => t.desyncs)),
        overChecks: sum(all.map((t) => t.overChecks)),
        overMismatches: sum(all.map((t) => t.overMismatches)),
        gaps: sum(all.map((t) => t.gaps)),
        resets: sum(all.map((t) => t.resets)),
        problems: all.flatMap((t) => t.problems).slice(0, 10),
      },
    };
  },

  /** Every player's state against the server's state now (GET /v1/games/:id, or the bare server's `state`). */
  async verify(args: { timeoutMs: number }) {
    const outcomes = (await Promise.all(tables.map((table) => table.verify(args.timeoutMs)))).flat();
    const count = (outcome: string) => outcomes.filter((entry) => entry === outcome).length;
    return { players: outcomes.length, matched: count("matched"), mismatched: count("mismatched"), unreached: count("unreached"), noState: count("no state") };
  },

  closeTables() {
    for (const table of tables) table.close();
    tables.length = 0;
    return null;
  },
};

export type PlayersApi = typeof api;

serveApi(api);
process.on("SIGTERM", () => {
  for (const table of tables) table.close();
  process.exit(0);
});
