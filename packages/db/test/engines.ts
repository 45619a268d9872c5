// Test harness: the engines every db test runs against. PGlite always runs;
// PostgreSQL runs when reachable, gets a fresh database per test file, and is
// required (a failure, not a skip) when CI is set. Other packages' tests use it
// too, as `@repo/db/testing`.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { createDatabase, type Database, type DatabaseOptions, type MigrationTarget, pgliteTarget, postgresTarget } from "../src/index";

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const IN_CI = Boolean(process.env.CI);

/** A raw connection for a migrations runner test, plus a way to look inside. */
export interface RawTarget {
  target: MigrationTarget;
  query<Row>(sql: string): Promise<Row[]>;
  close(): Promise<void>;
}

export interface Engine {
  name: string;
  /** Opens the engine's database through createDatabase. */
  open(extra?: Pick<DatabaseOptions, "log" | "migrationsDir">): Promise<Database>;
  /** A new, empty database (or several runners on one) for runner tests. */
  emptyTargets(count: number): Promise<RawTarget[]>;
  /** True when open() a second time sees what the first one wrote. */
  persistent: boolean;
  /** PostgreSQL: the URL open() connects to (a test may route it through a proxy). */
  url?: string;
  teardown(): Promise<void>;
}

/** Runners sharing one PGlite instance (one folder allows one instance). */
function sharedPglite(db: PGlite, count: number): RawTarget[] {
  let closing: Promise<void> | undefined;
  return Array.from({ length: count }, () => ({
    target: pgliteTarget(db),
    query: async <Row>(sql: string) => (await db.query<Row>(sql)).rows,
    // Closing a PGlite twice aborts its WASM runtime.
    close: () => (closing ??= db.close()),
  }));
}

export function pgliteMemoryEngine(): Engine {
  return {
    name: "pglite (in memory)",
    persistent: false,
    open: (extra) => createDatabase({ pgliteDir: "memory", ...extra }),
    async emptyTargets(count) {
      // One instance: runners in one process share it and must queue.
      return sharedPglite(await PGlite.create(), count);
    },
    teardown: async () => {},
  };
}

export async function pgliteDiskEngine(): Promise<Engine> {
  const root = await mkdtemp(path.join(tmpdir(), "sb-db-test-"));
  let n = 0;
  return {
    name: "pglite (on disk)",
    persistent: true,
    open: (extra) => createDatabase({ pgliteDir: path.join(root, "store"), ...extra }),
    async emptyTargets(count) {
      return sharedPglite(await PGlite.create(path.join(root, `runner-${++n}`)), count);
    },
    teardown: () => rm(root, { recursive: true, force: true }),
  };
}

/** Null with a reason when the server can't be reached. */
export async function probePostgres(): Promise<string | null> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    return `PostgreSQL unreachable at ${ADMIN_URL} (${(error as Error).message}); set TEST_DATABASE_URL`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function postgresEngine(): Promise<Engine> {
  const created: string[] = [];
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();

  async function freshDatabase(): Promise<string> {
    const name = `sb_test_${randomBytes(6).toString("hex")}`;
    await admin.query(`CREATE DATABASE ${name}`);
    // Not UTC on purpose: the client must pin its sessions to UTC.
    await admin.query(`ALTER DATABASE ${name} SET timezone TO 'America/New_York'`);
    created.push(name);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    return url.toString();
  }

  const mainUrl = await freshDatabase();
  return {
    name: "postgres",
    persistent: true,
    url: mainUrl,
    open: (extra) => createDatabase({ databaseUrl: mainUrl, ...extra }),
    async emptyTargets(count) {
      // One pool per runner: separate instances racing on one database.
      const url = await freshDatabase();
      return Array.from({ length: count }, () => {
        const pool = new pg.Pool({ connectionString: url });
        return {
          target: postgresTarget(pool),
          query: async <Row>(sql: string) => (await pool.query(sql)).rows as Row[],
          close: async () => {
            if (!pool.ended) await pool.end();
          },
        };
      });
    },
    async teardown() {
      for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export interface EngineCase {
  name: string;
  make: () => Promise<Engine>;
  /** Why the suite is skipped; never set in CI, where an unreachable server fails the suite. */
  skip: string | null;
}

export async function engineCases(): Promise<EngineCase[]> {
  const unreachable = await probePostgres();
  if (unreachable && !IN_CI) console.warn(`Skipping the PostgreSQL tests: ${unreachable}`);
  return [
    { name: "pglite (in memory)", make: async () => pgliteMemoryEngine(), skip: null },
    { name: "pglite (on disk)", make: pgliteDiskEngine, skip: null },
    {
      name: "postgres",
      make: async () => {
        if (unreachable) throw new Error(`${unreachable}. CI must run the PostgreSQL tests.`);
        return postgresEngine();
      },
      skip: unreachable && !IN_CI ? unreachable : null,
    },
  ];
}
