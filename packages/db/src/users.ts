// Users: guests for now (a name, no credentials).
import type { DbClient } from "./db-client";
import type { UserRow } from "./rows";

export function createGuestUser(db: DbClient, name: string): Promise<UserRow> {
  return db.user.create({ data: { name } });
}

export function findUser(db: DbClient, id: string): Promise<UserRow | null> {
  return db.user.findUnique({ where: { id } });
}

/**
 * Deletes at most `limit` users created before `cutoff` that are left with no session, no
 * chat message, no membership and no seat in a stored game (abandoned guests; their receipts cascade, rooms they
 * created keep existing with no creator). Returns how many went; call again while it
 * returns `limit`. The cutoff keeps a user who is being signed in right now safe.
 */
export function deleteAbandonedGuests(db: DbClient, cutoff: Date, limit: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM users WHERE id IN (
      SELECT u.id FROM users u
      WHERE u.created_at < ${cutoff}
        AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = u.id)
        AND NOT EXISTS (SELECT 1 FROM chat_messages m WHERE m.author_id = u.id)
        AND NOT EXISTS (SELECT 1 FROM chat_memberships cm WHERE cm.user_id = u.id)
        AND NOT EXISTS (SELECT 1 FROM game_players gp WHERE gp.user_id = u.id)
      LIMIT ${limit})`;
}
