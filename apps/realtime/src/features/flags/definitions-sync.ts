import { readStoredFlags, storedFlagsEtag, type Database } from "@repo/db";
import type { FastifyBaseLogger } from "fastify";
import { FLAGS_SAVED_CHANNEL, FlagsSavedMessage, type ClusterBus } from "../../cluster/cluster-bus";
import type { ServiceFlags } from "../../flags/service-flags";

/**
 * Every instance follows the saved definitions: it reads the saved row's etag
 * (one indexed row) each `intervalMs`, and at once when the cluster bus says
 * some instance saved a change (`announceSaved`); it loads the row when the
 * etag differs from what is in force. The bus is a hint (no history): the
 * poll is the safety net for a missed one. A saved row that fails validation
 * is logged and skipped; the current definitions stay. Returns the stop.
 */
export function followSavedDefinitions(deps: {
  db: Database;
  flags: ServiceFlags;
  log: FastifyBaseLogger;
  intervalMs: number;
  bus?: ClusterBus;
}): () => void {
  const { db, flags, log } = deps;
  let running = false;
  /** A hint came while a check ran: that check may have read the row before the save, so check again. */
  let again = false;
  let skippedEtag: string | null = null;

  async function reload() {
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
  }

  function check() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    reload()
      .catch((error: unknown) => log.warn({ err: error }, "could not read the saved flag definitions"))
      .finally(() => {
        running = false;
        if (again) check();
      });
  }

  const timer = setInterval(check, deps.intervalMs);
  timer.unref();
  const unsubscribe = deps.bus?.subscribe(FLAGS_SAVED_CHANNEL, (message) => {
    const hint = FlagsSavedMessage.safeParse(safeJson(message));
    // Our own announcement (or a change already followed) needs no read.
    if (hint.success && hint.data.etag === flags.store.etag) return;
    check();
  });
  return () => {
    clearInterval(timer);
    unsubscribe?.();
  };
}

/** Tells every instance that definitions with `etag` were saved (after the save, never before). */
export function announceSaved(bus: ClusterBus, etag: string): void {
  bus.publish(FLAGS_SAVED_CHANNEL, JSON.stringify({ etag }));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
