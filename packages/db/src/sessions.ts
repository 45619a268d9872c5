// Session rows back the service's signed session tokens, so a token can be
// looked up and revoked before it expires.
import type { DbClient } from "./db-client";
import type { SessionRow } from "./rows";

export function createSession(db: DbClient, userId: string, expiresAt: Date): Promise<SessionRow> {
  return db.session.create({ data: { userId, expiresAt } });
}

/**
 * The session if it exists, belongs to `userId`, is not revoked and has not
 * expired; otherwise null. Matching the user stops a token whose `sub` was
 * forged over someone else's live session id.
 */
export function findActiveSession(db: DbClient, id: string, userId: string, now: Date = new Date()): Promise<SessionRow | null> {
  return db.session.findFirst({ where: { id, userId, revokedAt: null, expiresAt: { gt: now } } });
}

/** Which of these session ids are still active (one query, for re-validating open connections). */
export async function findActiveSessionIds(db: DbClient, ids: string[], now: Date = new Date()): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.session.findMany({ where: { id: { in: ids }, revokedAt: null, expiresAt: { gt: now } }, select: { id: true } });
  return new Set(rows.map((row) => row.id));
}

/** Revokes the session; true if it was active until now. Idempotent. */
export async function revokeSession(db: DbClient, id: string, now: Date = new Date()): Promise<boolean> {
  const { count } = await db.session.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
  return count > 0;
}
