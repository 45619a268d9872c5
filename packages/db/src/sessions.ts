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

/**
 * The owner of each of these sessions that is still active (one query): a
 * batch of token checks answered at once, each then matched against its token's user.
 */
export async function findActiveSessionOwners(db: DbClient, ids: readonly string[], now: Date = new Date()): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.session.findMany({ where: { id: { in: [...new Set(ids)] }, revokedAt: null, expiresAt: { gt: now } }, select: { id: true, userId: true } });
  return new Map(rows.map((row) => [row.id, row.userId]));
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
