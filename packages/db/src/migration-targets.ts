// The two kinds of database the migrations runner drives: a PGlite instance
// and a real PostgreSQL reached through `pg`.
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";

/** What the runner needs from one database session. */
export interface SqlSession {
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction(fn: (tx: SqlTransaction) => Promise<void>): Promise<void>;
}

export interface SqlTransaction {
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a multi-statement script. */
  exec(script: string): Promise<void>;
}

export interface MigrationTarget {
  kind: "pglite" | "postgres";
  /** Runs `fn` while holding a lock that excludes every other runner on this database. */
  withLock<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
}

// Prisma's own migrate advisory lock key, so this runner and `prisma migrate`
// also exclude each other.
const ADVISORY_LOCK_KEY = 72707369;

export function postgresTarget(pool: pg.Pool, options: { lockTimeoutMs?: number } = {}): MigrationTarget {
  const lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
  return {
    kind: "postgres",
    async withLock(fn) {
      // One dedicated connection: advisory locks belong to the session. It is
      // closed afterwards, never pooled, so a lock can't outlive the run.
      const client = await pool.connect();
      try {
        await client.query(`SET lock_timeout = ${Math.trunc(lockTimeoutMs)}`);
        await client.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
        await client.query("RESET lock_timeout");
        try {
          return await fn({
            query: async (sql, params) => (await client.query<never>(sql, params)).rows,
            async transaction(body) {
              await client.query("BEGIN");
              try {
                await body({
                  query: async (sql, params) => (await client.query<never>(sql, params)).rows,
                  exec: async (script) => void (await client.query(script)),
                });
                await client.query("COMMIT");
              } catch (error) {
                await client.query("ROLLBACK").catch(() => undefined);
                throw error;
              }
            },
          });
        } finally {
          await client.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCK_KEY]);
        }
      } finally {
        client.release(true);
      }
    },
  };
}

// PGlite is one session, where an advisory lock is re-entrant and so excludes
// nothing: runners sharing an instance queue on an in-process lock instead.
const pgliteLocks = new WeakMap<PGlite, Promise<unknown>>();

export function pgliteTarget(db: PGlite): MigrationTarget {
  return {
    kind: "pglite",
    async withLock(fn) {
      const previous = pgliteLocks.get(db) ?? Promise.resolve();
      const run = previous.catch(() => undefined).then(() =>
        fn({
          query: async (sql, params) => (await db.query<never>(sql, params)).rows,
          // PGlite's transaction() also holds back every other query on the instance.
          transaction: (body) =>
            db.transaction(async (tx) => {
              await body({
                query: async (sql, params) => (await tx.query<never>(sql, params)).rows,
                exec: async (script) => void (await tx.exec(script)),
              });
            }),
        }),
      );
      pgliteLocks.set(db, run);
      return run;
    },
  };
}
