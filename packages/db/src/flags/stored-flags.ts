// The flag definitions an operator saved, and the audit log of every change.
import type { DbClient } from "../db-client";
import type { PrismaClient } from "../generated/prisma/client";

const ROW = 1;

export interface StoredFlags {
  definitions: string;
  etag: string;
  updatedAt: Date;
  updatedBy: string;
}

export interface FlagChangeEntry {
  id: string;
  at: Date;
  actor: string;
  reason: string;
  before: string;
  after: string;
  flagsChanged: string[];
}

/** The saved definitions, or null while the service runs on its file. */
export async function readStoredFlags(db: DbClient): Promise<StoredFlags | null> {
  const row = await db.flagDefinitions.findUnique({ where: { id: ROW } });
  return row && { definitions: row.definitions, etag: row.etag, updatedAt: row.updatedAt, updatedBy: row.updatedBy };
}

/** Only the saved etag (what every instance polls to notice a change), or null. */
export async function storedFlagsEtag(db: DbClient): Promise<string | null> {
  const row = await db.flagDefinitions.findUnique({ where: { id: ROW }, select: { etag: true } });
  return row?.etag ?? null;
}

/**
 * Saves new definitions and their audit entry in one transaction, if the
 * definitions in force are still the ones the operator edited: a saved row's
 * etag must be `expectedEtag` (with no row yet, the caller has checked it
 * against the file). "conflict" when someone saved meanwhile; nothing changes then.
 */
export async function saveFlagDefinitions(
  db: PrismaClient,
  change: { definitions: string; etag: string; expectedEtag: string; actor: string; reason: string; before: string; flagsChanged: string[] },
): Promise<"saved" | "conflict"> {
  return db.$transaction(async (tx) => {
    const current = await tx.flagDefinitions.findUnique({ where: { id: ROW }, select: { etag: true } });
    if (current && current.etag !== change.expectedEtag) return "conflict";
    const row = { definitions: change.definitions, etag: change.etag, updatedBy: change.actor, updatedAt: new Date() };
    if (current) {
      // Conditional on the etag read above: a save racing this one in another instance loses.
      const updated = await tx.flagDefinitions.updateMany({ where: { id: ROW, etag: change.expectedEtag }, data: row });
      if (updated.count !== 1) return "conflict";
    } else {
      const created = await tx.flagDefinitions.createMany({ data: [{ id: ROW, ...row }], skipDuplicates: true });
      if (created.count !== 1) return "conflict";
    }
    await tx.flagChange.create({
      data: { actor: change.actor, reason: change.reason, before: change.before, after: change.definitions, flagsChanged: change.flagsChanged },
    });
    return "saved";
  });
}

/** The audit log, newest first (UUID v7 ids: id order is time order). */
export async function listFlagChanges(db: DbClient, options: { before?: string; limit: number }): Promise<FlagChangeEntry[]> {
  const rows = await db.flagChange.findMany({
    where: options.before === undefined ? {} : { id: { lt: options.before } },
    orderBy: { id: "desc" },
    take: options.limit,
  });
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    actor: row.actor,
    reason: row.reason,
    before: row.before,
    after: row.after,
    flagsChanged: Array.isArray(row.flagsChanged) ? row.flagsChanged.filter((key): key is string => typeof key === "string") : [],
  }));
}
