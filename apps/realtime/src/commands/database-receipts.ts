import { findReceipt, saveReceipt, type Database, type Prisma } from "@repo/db";
import type { ReceiptStore } from "./types";

/** Command receipts in the database: a retry is recognised across restarts and instances. */
export function createDatabaseReceipts(db: Database): ReceiptStore {
  return {
    async find(userId, commandId) {
      const receipt = await findReceipt(db.prisma, userId, commandId);
      return receipt ? { type: receipt.type, result: receipt.result } : undefined;
    },
    async save(userId, commandId, type, result) {
      // Command results are JSON by construction: they go over the wire as JSON.
      const receipt = await saveReceipt(db.prisma, { userId, id: commandId, type, result: result as Prisma.InputJsonValue });
      return receipt.result;
    },
  };
}
