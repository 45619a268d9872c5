import { readStoredFlags, storedFlagsEtag, type Database } from "@repo/db";
import type { FastifyBaseLogger } from "fastify";
import type { ServiceFlags } from "../../flags/service-flags";

/**
 * Every instance follows the saved definitions: each `intervalMs` it reads the
 * saved row's etag (one indexed row), and loads the row when it differs from
 * what is in force. A saved row that fails validation is logged and skipped;
 * the current definitions stay. Returns the stop.
 */
export function followSavedDefinitions(deps: { db: Database; flags: ServiceFlags; log: FastifyBaseLogger; intervalMs: number }): () => void {
  const { db, flags, log } = deps;
  let running = false;
  let skippedEtag: string | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      const etag = await storedFlagsEtag(db.prisma);
      if (etag === null || etag === flags.store.etag || etag === skippedEtag) return;
      const stored = await readStoredFlags(db.prisma);
      if (!stored) return;
      try {
        flags.store.load(stored.definitions, "the database (flag_definitions)");
      } catch (error) {
        skippedEtag = stored.etag;
        log.error({ err: error, etag: stored.etag }, "saved flag definitions are invalid; keeping the ones in force");
      }
    })()
      .catch((error: unknown) => log.warn({ err: error }, "could not read the saved flag definitions"))
      .finally(() => {
        running = false;
      });
  }, deps.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
