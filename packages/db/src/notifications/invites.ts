// Game invites: one notification per (invited user, game).
import type { DbClient } from "../db-client";
import type { NotificationRow } from "../rows";

/**
 * Stores an invite of `userId` to `gameId` by `actorId`, unless that user was
 * already invited to that game (then null): the unique (user, game) makes it
 * idempotent across retries and instances.
 */
export async function createInvite(db: DbClient, input: { userId: string; gameId: string; actorId: string }): Promise<NotificationRow | null> {
  const [row] = await db.notification.createManyAndReturn({ data: [{ ...input, kind: "invite" }], skipDuplicates: true });
  return row ?? null;
}
