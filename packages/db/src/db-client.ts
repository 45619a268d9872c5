import type { Prisma } from "./generated/prisma/client";

/** A PrismaClient or an interactive-transaction client: data access works on both. */
export type DbClient = Prisma.TransactionClient;
