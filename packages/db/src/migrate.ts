// Applies the committed prisma/migrations/*/migration.sql to PGlite or PostgreSQL:
// in name order, each once, each in its own transaction, recorded in Prisma's
// `_prisma_migrations` table so `prisma migrate status` stays meaningful.
//
// Why not `prisma migrate deploy`: through @prisma/adapter-pg it fails on real
// PostgreSQL (prisma/orm#27403, "Column type 'name' could not be deserialized"),
// and the native schema engine would need a download these machines can't do.
import { randomUUID } from "node:crypto";
import { type MigrationFile, readMigrationFiles } from "./migration-files";
import type { MigrationTarget, SqlSession } from "./migration-targets";

export interface MigrateOptions {
  /** Defaults to the repo's prisma/migrations. */
  migrationsDir?: string;
  log?: (message: string) => void;
}

export interface MigrateResult {
  /** Names applied by this run, in order. */
  applied: string[];
  /** How many were already applied before this run. */
  alreadyApplied: number;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

// The table exactly as Prisma's schema engine creates it on PostgreSQL.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export async function applyMigrations(target: MigrationTarget, options: MigrateOptions = {}): Promise<MigrateResult> {
  const log = options.log ?? (() => {});
  const files = await readMigrationFiles(options.migrationsDir);
  return target.withLock(async (session) => {
    await session.query(CREATE_MIGRATIONS_TABLE);
    const done = await appliedMigrations(session, files, log);
    const pending = files.filter((file) => !done.has(file.name));
    for (const file of pending) {
      log(`applying migration ${file.name}`);
      await applyOne(session, file);
    }
    return { applied: pending.map((file) => file.name), alreadyApplied: files.length - pending.length };
  });
}

/** Names already applied; refuses to go on past a failed, unresolved migration (as Prisma does). */
async function appliedMigrations(session: SqlSession, files: MigrationFile[], log: (message: string) => void) {
  const rows = await session.query<AppliedRow>(
    `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"
     WHERE rolled_back_at IS NULL ORDER BY started_at`,
  );
  const failed = rows.find((row) => row.finished_at === null);
  if (failed) {
    throw new Error(
      `Migration ${failed.migration_name} failed earlier and is not resolved: fix the database, then run ` +
        `\`prisma migrate resolve --applied|--rolled-back ${failed.migration_name}\`.`,
    );
  }
  const byName = new Map(files.map((file) => [file.name, file]));
  for (const row of rows) {
    const file = byName.get(row.migration_name);
    if (!file) log(`warning: migration ${row.migration_name} is applied but not in the migrations folder`);
    else if (file.checksum !== row.checksum) log(`warning: migration ${row.migration_name} was edited after it was applied`);
  }
  return new Set(rows.map((row) => row.migration_name));
}

async function applyOne(session: SqlSession, file: MigrationFile): Promise<void> {
  const startedAt = new Date();
  try {
    await session.transaction(async (tx) => {
      await tx.exec(file.sql);
      await tx.query(
        `INSERT INTO "_prisma_migrations"
           (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
         VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
        [randomUUID(), file.checksum, file.name, startedAt],
      );
    });
  } catch (error) {
    // Rolled back whole, so nothing is recorded and a fixed retry starts clean.
    throw new Error(`Migration ${file.name} failed and was rolled back: ${(error as Error).message}`, { cause: error });
  }
}
