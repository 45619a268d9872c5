// Broadcasts: one row for every user, and the retention of notifications and broadcasts.
import type { DbClient } from "../db-client";
import type { BroadcastRow } from "../rows";

export function createBroadcast(db: DbClient, input: { title: string; body: string }): Promise<BroadcastRow> {
  return db.broadcast.create({ data: input });
}

/** Deletes at most `limit` notifications made before `cutoff`; returns how many went (call again while it returns `limit`). */
export function deleteNotificationsBefore(db: DbClient, cutoff: Date, limit: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM notifications WHERE id IN (SELECT id FROM notifications WHERE created_at < ${cutoff} LIMIT ${limit})`;
}

/** Deletes at most `limit` broadcasts made before `cutoff` (their per-user reads cascade); returns how many went. */
export function deleteBroadcastsBefore(db: DbClient, cutoff: Date, limit: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM broadcasts WHERE id IN (SELECT id FROM broadcasts WHERE created_at < ${cutoff} LIMIT ${limit})`;
}
