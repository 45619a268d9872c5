// Purging ended sessions (kept apart from sessions.ts, which holds the live lookups).
import type { DbClient } from "./db-client";

/**
 * Deletes at most `limit` sessions that expired, or were revoked, before `cutoff`; returns
 * how many went. Call again while it returns `limit`.
 */
export function deleteSessionsEndedBefore(db: DbClient, cutoff: Date, limit: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM sessions WHERE id IN (
      SELECT id FROM sessions WHERE expires_at < ${cutoff} OR revoked_at < ${cutoff} LIMIT ${limit})`;
}
