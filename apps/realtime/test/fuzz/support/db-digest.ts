import type { Database } from "@repo/db";
import { expect } from "vitest";

/** Row count and md5 of every row (as text, sorted by primary key) of one table. */
export interface TableDigest {
  rows: number;
  md5: string;
}

export type DatabaseDigest = Record<string, TableDigest>;

const statements = new WeakMap<Database, Promise<string>>();

/**
 * One statement that digests every table of the public schema, so a snapshot
 * costs one round trip. Tables and their primary keys are read from the catalog
 * once: a table a migration adds is covered without touching this file.
 */
async function digestSql(db: Database): Promise<string> {
  const tables = await db.prisma.$queryRawUnsafe<Array<{ table: string; pk: string | null }>>(`
    SELECT c.relname::text AS "table",
           (SELECT string_agg('t.' || quote_ident(a.attname), ', ' ORDER BY array_position(i.indkey::int2[], a.attnum))
              FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
             WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'r'
     ORDER BY c.relname`);
  if (tables.length === 0) throw new Error("no tables found to digest");
  const parts = tables.map(({ table, pk }) => {
    // Without a primary key, the row text itself is a total order.
    const order = pk ?? "t::text";
    return `SELECT ${quoteLiteral(table)} AS "table", count(*)::int AS rows,
                   coalesce(md5(string_agg(t::text, E'\\n' ORDER BY ${order})), '') AS md5
              FROM public.${quoteIdent(table)} t`;
  });
  return parts.join("\nUNION ALL\n");
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A snapshot of every table: row counts and content digests. */
export async function databaseDigest(db: Database): Promise<DatabaseDigest> {
  let sql = statements.get(db);
  if (!sql) statements.set(db, (sql = digestSql(db)));
  const rows = await db.prisma.$queryRawUnsafe<Array<{ table: string; rows: number; md5: string }>>(await sql);
  const digest: DatabaseDigest = {};
  for (const row of rows) digest[row.table] = { rows: Number(row.rows), md5: row.md5 };
  return digest;
}

/** Invariant 3: a rejected input left every table exactly as it was. */
export async function expectDatabaseUnchanged(db: Database, before: DatabaseDigest, what: string) {
  const after = await databaseDigest(db);
  expect(after, `database changed by a rejected input (${what})`).toEqual(before);
}
