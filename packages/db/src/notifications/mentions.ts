// Mention notifications: who a message mentions, and storing each mention once.
import type { DbClient } from "../db-client";
import type { NotificationRow } from "../rows";

/** Most people one message may notify, whatever names it mentions (names are not unique). */
export const MENTION_RECIPIENTS_MAX = 500;

/**
 * The room's members whose display name is one of `names` (ignoring case), but
 * not `authorId` and not anyone who muted the room. At most
 * MENTION_RECIPIENTS_MAX, oldest members first.
 */
export async function mentionRecipients(
  db: DbClient,
  input: { roomId: string; authorId: string; names: readonly string[] },
): Promise<Array<{ id: string; name: string }>> {
  if (input.names.length === 0) return [];
  const rows = await db.chatMembership.findMany({
    where: {
      roomId: input.roomId,
      userId: { not: input.authorId },
      user: {
        OR: input.names.map((name) => ({ name: { equals: name, mode: "insensitive" as const } })),
        notificationRoomMutes: { none: { roomId: input.roomId } },
      },
    },
    orderBy: [{ joinedAt: "asc" }, { userId: "asc" }],
    take: MENTION_RECIPIENTS_MAX,
    select: { user: { select: { id: true, name: true } } },
  });
  return rows.map((row) => row.user);
}

/**
 * Stores a mention notification for each user who has none for this message
 * yet; returns only the new ones. The unique (user, message) makes it
 * idempotent across retries, edits and instances.
 */
export function createMentions(
  db: DbClient,
  input: { roomId: string; messageId: string; actorId: string; excerpt: string; userIds: readonly string[] },
): Promise<NotificationRow[]> {
  if (input.userIds.length === 0) return Promise.resolve([]);
  return db.notification.createManyAndReturn({
    data: input.userIds.map((userId) => ({
      userId,
      kind: "mention",
      roomId: input.roomId,
      messageId: input.messageId,
      actorId: input.actorId,
      excerpt: input.excerpt,
    })),
    skipDuplicates: true,
  });
}

/** Deletes the mention notifications of a message (it was deleted); returns who had them. */
export async function deleteMentionsOf(db: DbClient, messageId: string): Promise<Array<{ id: string; userId: string }>> {
  const rows = await db.notification.findMany({ where: { messageId }, select: { id: true, userId: true } });
  if (rows.length > 0) await db.notification.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } });
  return rows;
}
