// Reads the committed migrations: prisma/migrations/<name>/migration.sql, in name order.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { REPO_ROOT } from "./repo-root";

/** The repo's prisma/migrations, found from this module (sources or bundle) so any cwd works. */
export const DEFAULT_MIGRATIONS_DIR = path.join(REPO_ROOT, "prisma/migrations");

export interface MigrationFile {
  /** The folder name, e.g. `20260101000000_init`: Prisma's `migration_name`. */
  name: string;
  sql: string;
  /** sha256 of the file, hex: what Prisma stores as `checksum`. */
  checksum: string;
}

export async function readMigrationFiles(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    throw new Error(`Cannot read the migrations folder ${dir}: ${(error as Error).message}`);
  });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(path.join(dir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    }),
  );
}
