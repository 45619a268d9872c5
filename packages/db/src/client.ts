// createDatabase(): a Prisma client on PGlite (embedded default) or PostgreSQL
// (DATABASE_URL), with the committed migrations applied before it is returned.
import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { readDbEnv } from "./env";
import { PrismaClient } from "./generated/prisma/client";
import { applyMigrations } from "./migrate";
import { pgliteTarget, postgresTarget } from "./migration-targets";
import { pgliteAdapter } from "./pglite-adapter";

export interface Database {
  prisma: PrismaClient;
  kind: "pglite" | "postgres";
  /** True when a trivial query succeeds. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL URL. Wins over everything; without it (or DATABASE_URL) PGlite is used. */
  databaseUrl?: string;
  /** PGlite data folder (created if missing), or "memory". Given explicitly, it wins over DATABASE_URL. */
  pgliteDir?: string;
  /** Defaults to the repo's prisma/migrations. */
  migrationsDir?: string;
  /** Progress lines (the service passes its logger). */
  log?: (message: string) => void;
}

export async function createDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const log = options.log ?? (() => {});
  const env = readDbEnv();
  const databaseUrl = options.databaseUrl ?? (options.pgliteDir === undefined ? env.DATABASE_URL : undefined);
  if (databaseUrl) return openPostgres(databaseUrl, options.migrationsDir, log, { max: env.DATABASE_POOL_MAX, waitMs: env.DATABASE_POOL_WAIT_MS });
  return openPglite(options.pgliteDir ?? env.PGLITE_DIR, options.migrationsDir, log);
}

async function openPglite(dir: string, migrationsDir: string | undefined, log: (message: string) => void) {
  if (dir !== "memory") await mkdir(dir, { recursive: true });
  const pglite = dir === "memory" ? await PGlite.create() : await PGlite.create(dir);
  // The Prisma adapters write and read timestamptz as UTC wall-clock text.
  await pglite.exec("SET TimeZone = 'UTC'");
  log(`database: PGlite ${dir === "memory" ? "in memory" : `at ${dir}`}`);
  try {
    await migrateAndLog(pgliteTarget(pglite), migrationsDir, log);
  } catch (error) {
    await pglite.close();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: pgliteAdapter(pglite) });
  return database("pglite", prisma, async () => {
    await prisma.$disconnect();
    if (!pglite.closed) await pglite.close();
  });
}

async function openPostgres(
  url: string,
  migrationsDir: string | undefined,
  log: (message: string) => void,
  poolSize: { max: number; waitMs: number },
) {
  // @prisma/adapter-pg writes and reads timestamptz as UTC wall-clock text
  // (it drops the offset), so every session must run in UTC. A query that cannot get a
  // connection within waitMs fails instead of queueing forever.
  const pool = new pg.Pool({
    connectionString: url,
    options: "-c TimeZone=UTC",
    max: poolSize.max,
    connectionTimeoutMillis: poolSize.waitMs,
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on("error", (error) => log(`database: idle PostgreSQL connection failed: ${error.message}`));
  log(`database: PostgreSQL at ${redact(url)} (pool of ${poolSize.max})`);
  try {
    await migrateAndLog(postgresTarget(pool), migrationsDir, log);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return database("postgres", prisma, async () => {
    await prisma.$disconnect();
    if (!pool.ended) await pool.end();
  });
}

async function migrateAndLog(
  target: Parameters<typeof applyMigrations>[0],
  migrationsDir: string | undefined,
  log: (message: string) => void,
) {
  const result = await applyMigrations(target, { migrationsDir, log });
  log(`database: ${result.applied.length} migration(s) applied, ${result.alreadyApplied} already up to date`);
}

function database(kind: Database["kind"], prisma: PrismaClient, close: () => Promise<void>): Database {
  let closing: Promise<void> | undefined;
  return {
    prisma,
    kind,
    ping: () => prisma.$queryRaw`SELECT 1`.then(
      () => true,
      () => false,
    ),
    // Idempotent: shutdown paths may call it twice.
    close: () => (closing ??= close()),
  };
}

/** The URL without its password, for logs. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparseable URL>";
  }
}
