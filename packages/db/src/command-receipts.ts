// Idempotency store for client commands: the first result saved for a
// (user, command id) is the result every retry of that command gets.
import type { DbClient } from "./db-client";
import type { Prisma } from "./generated/prisma/client";
import type { CommandReceiptRow } from "./rows";

export interface NewReceipt {
  userId: string;
  /** The client-generated command id. */
  id: string;
  type: string;
  result: Prisma.InputJsonValue;
}

export function findReceipt(db: DbClient, userId: string, id: string): Promise<CommandReceiptRow | null> {
  return db.commandReceipt.findUnique({ where: { userId_id: { userId, id } } });
}

/**
 * Saves the receipt unless one exists for (userId, id), and returns the stored
 * one: under a race every caller gets the same, first row. INSERT … ON CONFLICT
 * DO NOTHING (skipDuplicates) rather than catching the unique violation, which
 * would abort an enclosing transaction.
 */
export async function saveReceipt(db: DbClient, receipt: NewReceipt): Promise<CommandReceiptRow> {
  await db.commandReceipt.createMany({ data: [receipt], skipDuplicates: true });
  const stored = await findReceipt(db, receipt.userId, receipt.id);
  if (!stored) throw new Error(`command receipt ${receipt.userId}/${receipt.id} vanished after insert`);
  return stored;
}

/**
 * Deletes at most `limit` receipts created before `cutoff` (one short statement, so a purge
 * never holds a long lock); returns how many went. Call again until it returns less than `limit`.
 */
export function deleteReceiptsBefore(db: DbClient, cutoff: Date, limit: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM command_receipts WHERE (user_id, command_id) IN (
      SELECT user_id, command_id FROM command_receipts WHERE created_at < ${cutoff} LIMIT ${limit})`;
}
