import { postgresEngine } from "@repo/db/testing";

/**
 * One fresh PostgreSQL database for a run's Redis rows (TEST_DATABASE_URL's server, default
 * postgresql://postgres@127.0.0.1:5432/postgres), migrated once here so the instances start
 * without racing on it; dropped afterwards.
 */
export async function freshRedisDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const engine = await postgresEngine();
  await (await engine.open()).close();
  return { url: engine.url!, drop: () => engine.teardown() };
}
