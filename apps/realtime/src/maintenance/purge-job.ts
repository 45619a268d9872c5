import { setImmediate as nextTurn } from "node:timers/promises";
import { deleteAbandonedGuests, deleteReceiptsBefore, deleteSessionsEndedBefore, type Database } from "@repo/db";
import type { FastifyBaseLogger } from "fastify";
import type { PurgeConfig } from "../config";

const DAY_MS = 24 * 3600 * 1000;
/** Rows per DELETE: small enough that one statement never holds its locks for long. */
export const PURGE_BATCH = 1000;
/** The first run comes soon after start (restarts may be more frequent than the interval). */
const FIRST_RUN_MAX_DELAY_MS = 60_000;

export interface PurgeCounts {
  receipts: number;
  sessions: number;
  guests: number;
}

/**
 * The tables that would otherwise only grow (F21): command receipts past their retention,
 * sessions that expired or were revoked longer than the retention ago, and guests left
 * with no session, message or membership. Runs on an unref'd timer, never two runs at once.
 */
export function startPurgeJob(deps: { db: Database; config: PurgeConfig; log: FastifyBaseLogger; batch?: number }) {
  const { db, config, log } = deps;
  const batch = deps.batch ?? PURGE_BATCH;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  /** Deletes batch after batch until one comes back short, yielding the event loop between them. */
  async function drainTable(deleteBatch: () => Promise<number>): Promise<number> {
    let total = 0;
    while (!stopped) {
      const count = await deleteBatch();
      total += count;
      if (count < batch) break;
      await nextTurn();
    }
    return total;
  }

  async function runOnce(now = new Date()): Promise<PurgeCounts> {
    const started = Date.now();
    const receiptCutoff = new Date(now.getTime() - config.receiptRetentionDays * DAY_MS);
    const sessionCutoff = new Date(now.getTime() - config.sessionRetentionDays * DAY_MS);
    const receipts = await drainTable(() => deleteReceiptsBefore(db.prisma, receiptCutoff, batch));
    const sessions = await drainTable(() => deleteSessionsEndedBefore(db.prisma, sessionCutoff, batch));
    // After the sessions, so guests whose last session just went are purged in the same run.
    // Only users older than the session retention: one being signed in right now is safe.
    const guests = await drainTable(() => deleteAbandonedGuests(db.prisma, sessionCutoff, batch));
    const counts = { receipts, sessions, guests };
    log.info({ ...counts, ms: Date.now() - started }, "purged old rows");
    return counts;
  }

  function schedule(delayMs: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce()
        .catch((error: unknown) => log.error({ err: error }, "purge failed; retrying at the next interval"))
        .finally(() => {
          running = undefined;
          schedule(config.intervalMs);
        });
    }, delayMs);
    timer.unref();
  }

  if (config.intervalMs > 0) schedule(Math.min(config.intervalMs, FIRST_RUN_MAX_DELAY_MS));

  return {
    runOnce,
    /** Stops the timer and waits for a run in progress to end after its current batch. */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

export type PurgeJob = ReturnType<typeof startPurgeJob>;
