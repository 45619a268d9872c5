import { setImmediate as nextTurn } from "node:timers/promises";
import { deleteBroadcastsBefore, deleteNotificationsBefore, type Database } from "@repo/db";
import type { FastifyBaseLogger } from "fastify";
import type { FeatureJob } from "../feature";

const DAY_MS = 24 * 3600 * 1000;
/** Rows per DELETE, as the service's purge (short locks). */
const BATCH = 1000;

/**
 * Expires notifications and broadcasts older than `retentionDays` (their
 * per-user reads go with them), on an unref'd timer, one run at a time. A
 * read-through mark naming a purged broadcast still orders the newer ones.
 */
export function retentionJob(deps: { db: Database; log: FastifyBaseLogger; retentionDays: number; intervalMs: number }): FeatureJob & {
  runOnce(now?: Date): Promise<{ notifications: number; broadcasts: number }>;
} {
  let stopped = false;

  async function drain(deleteBatch: () => Promise<number>) {
    let total = 0;
    while (!stopped) {
      const count = await deleteBatch();
      total += count;
      if (count < BATCH) break;
      await nextTurn();
    }
    return total;
  }

  async function runOnce(now = new Date()) {
    const cutoff = new Date(now.getTime() - deps.retentionDays * DAY_MS);
    const notifications = await drain(() => deleteNotificationsBefore(deps.db.prisma, cutoff, BATCH));
    const broadcasts = await drain(() => deleteBroadcastsBefore(deps.db.prisma, cutoff, BATCH));
    if (notifications + broadcasts > 0) deps.log.info({ notifications, broadcasts }, "expired old notifications");
    return { notifications, broadcasts };
  }

  return {
    name: "notification retention",
    runOnce,
    start() {
      stopped = false;
      if (deps.intervalMs <= 0) return () => {};
      let running: Promise<unknown> | undefined;
      const timer = setInterval(() => {
        running ??= runOnce()
          .catch((error: unknown) => deps.log.error({ err: error }, "notification retention failed; retrying at the next interval"))
          .finally(() => {
            running = undefined;
          });
      }, deps.intervalMs);
      timer.unref();
      return () => {
        stopped = true;
        clearInterval(timer);
      };
    },
  };
}
