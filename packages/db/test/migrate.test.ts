import { createHash } from "node:crypto";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, DEFAULT_MIGRATIONS_DIR, readMigrationFiles } from "../src/index";
import { type Engine, engineCases } from "./engines";

const cases = await engineCases();
const files = await readMigrationFiles();

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  applied_steps_count: number;
}

describe.each(cases)("migrations runner on $name", ({ make, skip }) => {
  if (skip) {
    it.skip(`skipped: ${skip}`, () => {});
    return;
  }
  let engine: Engine;
  beforeAll(async () => {
    engine = await make();
  });
  afterAll(() => engine?.teardown());

  it("finds the committed migrations", async () => {
    expect(files.length).toBeGreaterThan(0);
    const first = files[0]!;
    const bytes = await readFile(path.join(DEFAULT_MIGRATIONS_DIR, first.name, "migration.sql"));
    expect(first.checksum).toBe(createHash("sha256").update(bytes).digest("hex"));
  });

  it("applies every migration once, in Prisma's format; re-applying is a no-op", async () => {
    const [raw] = await engine.emptyTargets(1);
    try {
      const first = await applyMigrations(raw!.target);
      expect(first).toEqual({ applied: files.map((f) => f.name), alreadyApplied: 0 });
      const again = await applyMigrations(raw!.target);
      expect(again).toEqual({ applied: [], alreadyApplied: files.length });

      const rows = await raw!.query<MigrationRow>(
        `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(
        files.map((f) => [f.name, f.checksum, 1]),
      );
      expect(rows.every((r) => r.finished_at !== null)).toBe(true);
    } finally {
      await raw!.close();
    }
  });

  it("two runners starting at once apply each migration exactly once", async () => {
    const raws = await engine.emptyTargets(2);
    try {
      const results = await Promise.all(raws.map((r) => applyMigrations(r.target)));
      expect(results.flatMap((r) => r.applied).sort()).toEqual(files.map((f) => f.name));
      const rows = await raws[0]!.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
      expect(rows[0]!.n).toBe(files.length);
    } finally {
      await Promise.all(raws.map((r) => r.close()));
    }
  });

  it("rolls a failing migration back whole and records nothing", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "sb-migrations-"));
    const [raw] = await engine.emptyTargets(1);
    try {
      await mkdir(path.join(dir, "1_good"));
      await writeFile(path.join(dir, "1_good", "migration.sql"), "CREATE TABLE good (id int);");
      await mkdir(path.join(dir, "2_bad"));
      await writeFile(path.join(dir, "2_bad", "migration.sql"), "CREATE TABLE half (id int);\nSELECT 1/0;");
      await expect(applyMigrations(raw!.target, { migrationsDir: dir })).rejects.toThrow(/2_bad failed and was rolled back/);

      const names = await raw!.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations"`);
      expect(names.map((r) => r.migration_name)).toEqual(["1_good"]);
      const tables = await raw!.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('good', 'half')`,
      );
      expect(tables[0]!.n).toBe(1);
    } finally {
      await raw!.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
