// Session rows back the service's signed session tokens, so a token can be
// looked up and revoked before it expires.
import type { DbClient } from "./dbClient";
import type { Session } from "./generated/prisma/client";

export function createSession(db: DbClient, userId: string, expiresAt: Date): Promise<Session> {
  return db.session.create({ data: { userId, expiresAt } });
}

/** The session if it exists, is not revoked and has not expired; otherwise null. */
export function findActiveSession(db: DbClient, id: string, now: Date = new Date()): Promise<Session | null> {
  return db.session.findFirst({ where: { id, revokedAt: null, expiresAt: { gt: now } } });
}

/** Revokes the session; true if it was active until now. Idempotent. */
export async function revokeSession(db: DbClient, id: string, now: Date = new Date()): Promise<boolean> {
  const { count } = await db.session.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
  return count > 0;
}
