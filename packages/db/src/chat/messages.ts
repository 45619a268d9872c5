// Chat messages: post (idempotent by command id), edit and soft-delete by the
// author, and keyset pages of history ordered by (createdAt, id).
import type { DbClient } from "../db-client";
import type { ChatMessageRow } from "../rows";

export type ChatMessageWithAuthor = ChatMessageRow & { author: { id: string; name: string } };

const withAuthor = { author: { select: { id: true, name: true } } } as const;

export interface NewChatMessage {
  roomId: string;
  authorId: string;
  text: string;
  /** The posting command's id: a second post with the same (authorId, commandId) stores nothing. */
  commandId?: string;
}

/**
 * Stores a message. With a `commandId`, a message already stored under the
 * same (author, command id) is returned instead (`created: false`): a retried
 * send never stores a second copy, whichever instance it reaches.
 */
export async function createMessage(db: DbClient, input: NewChatMessage): Promise<{ message: ChatMessageWithAuthor; created: boolean }> {
  if (input.commandId === undefined) {
    return { message: await db.chatMessage.create({ data: input, include: withAuthor }), created: true };
  }
  const [inserted] = await db.chatMessage.createManyAndReturn({ data: [input], skipDuplicates: true, include: withAuthor });
  if (inserted) return { message: inserted, created: true };
  const existing = await db.chatMessage.findUnique({
    where: { authorId_commandId: { authorId: input.authorId, commandId: input.commandId } },
    include: withAuthor,
  });
  if (!existing) throw new Error(`chat message ${input.authorId}/${input.commandId} vanished after a conflicting insert`);
  return { message: existing, created: false };
}

export function findMessage(db: DbClient, id: string): Promise<ChatMessageWithAuthor | null> {
  return db.chatMessage.findUnique({ where: { id }, include: withAuthor });
}

/** Replaces the text if `authorId` wrote the message and it is not deleted; null otherwise. */
export async function editMessage(
  db: DbClient,
  input: { id: string; authorId: string; text: string; at?: Date },
): Promise<ChatMessageWithAuthor | null> {
  const { count } = await db.chatMessage.updateMany({
    where: { id: input.id, authorId: input.authorId, deletedAt: null },
    data: { text: input.text, editedAt: input.at ?? new Date() },
  });
  return count > 0 ? findMessage(db, input.id) : null;
}

/** Soft-deletes (text cleared) if `authorId` wrote the message and it is not deleted yet; true if it was. */
export async function deleteMessage(db: DbClient, input: { id: string; authorId: string; at?: Date }): Promise<boolean> {
  const { count } = await db.chatMessage.updateMany({
    where: { id: input.id, authorId: input.authorId, deletedAt: null },
    data: { text: "", deletedAt: input.at ?? new Date() },
  });
  return count > 0;
}

/**
 * One page of a room's history, oldest → newest: the latest `limit` messages,
 * or the `limit` before the message `before` (which must be in the room).
 * Deleted messages are included (as tombstones), so pages never shift.
 */
export async function listMessages(
  db: DbClient,
  roomId: string,
  options: { before?: { id: string; createdAt: Date }; limit: number },
): Promise<{ messages: ChatMessageWithAuthor[]; hasMore: boolean }> {
  const { before, limit } = options;
  const rows = await db.chatMessage.findMany({
    where: {
      roomId,
      ...(before
        ? { OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.id } }] }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    include: withAuthor,
  });
  const hasMore = rows.length > limit;
  return { messages: rows.slice(0, limit).reverse(), hasMore };
}
