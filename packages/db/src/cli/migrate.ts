// `pnpm db:migrate`: applies the committed migrations to DATABASE_URL, or to
// the PGlite folder (PGLITE_DIR) when no URL is set.
import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { redact } from "../client";
import { readDbEnv } from "../env";
import { applyMigrations } from "../migrate";
import { type MigrationTarget, pgliteTarget, postgresTarget } from "../migration-targets";

const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const env = readDbEnv();
  let target: MigrationTarget;
  let close: () => Promise<void>;
  if (env.DATABASE_URL) {
    print(`PostgreSQL at ${redact(env.DATABASE_URL)}`);
    const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 1 });
    target = postgresTarget(pool);
    close = () => pool.end();
  } else {
    print(`PGlite at ${env.PGLITE_DIR}`);
    if (env.PGLITE_DIR !== "memory") await mkdir(env.PGLITE_DIR, { recursive: true });
    const pglite = await PGlite.create(env.PGLITE_DIR === "memory" ? undefined : env.PGLITE_DIR);
    target = pgliteTarget(pglite);
    close = () => pglite.close();
  }
  try {
    const result = await applyMigrations(target, { log: print });
    print(`${result.applied.length} migration(s) applied, ${result.alreadyApplied} already up to date.`);
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
