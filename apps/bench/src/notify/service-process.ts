/**
 * The service for `pnpm bench:notify`, in its own process: the real
 * createServer with the default features (chat and notifications included) on
 * an in-memory PGlite database, limits raised (every bench user signs in and
 * connects from 127.0.0.1) and an operator token set. Besides starting it
 * answers `markWrites()` / `writtenSince(mark)`: the rows inserted or updated
 * in between, in every table, so a broadcast's database cost is counted by the
 * database, not by the bench's idea of which tables matter.
 */
import { createDatabase, type Database } from "@repo/db";
import { createServer } from "@repo/realtime";
import { defaultFeatures } from "@repo/realtime/features";
import { serveApi } from "../ipc";
import { BENCH_ROW_CONFIG } from "../servers/switchboard-config";

let db: Database | undefined;
let stop: (() => Promise<void>) | undefined;

/** Rows per table that a transaction after the mark inserted or updated (table → rows; tables with none left out). */
export type TableWrites = Record<string, number>;

/**
 * A row's `xmin` is the transaction that wrote its current version, so the rows
 * with an `xmin` after a mark are exactly those inserted or updated since, in
 * any table. (PGlite runs single-user, where the pg_stat_* counters never flush.)
 */
async function markWrites(database: Database): Promise<number> {
  const [row] = await database.prisma.$queryRaw<Array<{ xid: bigint }>>`SELECT txid_current() AS xid`;
  return Number(row?.xid ?? 0);
}

async function writtenSince(database: Database, mark: number): Promise<TableWrites> {
  const tables = await database.prisma.$queryRaw<Array<{ name: string }>>`
    SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`;
  const written: TableWrites = {};
  for (const { name } of tables) {
    const quoted = `"${name.replaceAll('"', '""')}"`;
    const [row] = await database.prisma.$queryRawUnsafe<Array<{ rows: bigint }>>(
      `SELECT count(*) AS rows FROM ${quoted} WHERE xmin::text::bigint > $1`,
      mark,
    );
    const rows = Number(row?.rows ?? 0);
    if (rows > 0) written[name] = rows;
  }
  return written;
}

const api = {
  async start(args: { operatorToken: string; logLevel: string }) {
    db = await createDatabase({ pgliteDir: "memory" });
    const config = { ...BENCH_ROW_CONFIG, operatorToken: args.operatorToken };
    const server = await createServer({ db, config, logger: { level: args.logLevel }, features: defaultFeatures(config) });
    const url = await server.listen({ port: 0, host: "127.0.0.1" });
    stop = () => server.close();
    return { url, pid: process.pid };
  },
  async markWrites() {
    if (!db) throw new Error("service not started");
    return markWrites(db);
  },
  async writtenSince(args: { mark: number }) {
    if (!db) throw new Error("service not started");
    return writtenSince(db, args.mark);
  },
  async close() {
    await stop?.();
    await db?.close();
  },
};

export type NotifyServiceApi = typeof api;

serveApi(api);
