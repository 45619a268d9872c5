import { afterAll, beforeAll } from "vitest";
import type { Feature } from "../../../src/features/feature";
import { signIn, startServer, type RunningServer } from "../../support/start-server";
import { databaseDigest, expectDatabaseUnchanged, type DatabaseDigest } from "./db-digest";
import { HEALTH_EVERY } from "./fuzz-config";
import { expectServiceServing, type WellBehavedClient } from "./service-health";
import { trackUnhandledErrors, type UnhandledErrors } from "./unhandled-errors";

export interface FuzzTarget {
  running: RunningServer;
  baseUrl: string;
  /** The user whose inputs are fuzzed. */
  fuzzer: WellBehavedClient;
  /** A separate user who only ever behaves (invariant 1). */
  client: WellBehavedClient;
  errors: UnhandledErrors;
  digest(): Promise<DatabaseDigest>;
  expectDatabaseUnchanged(before: DatabaseDigest, what: string): Promise<void>;
  /** After each case: nothing escaped; every HEALTH_EVERY cases, the full serving check. */
  caseDone(what: string): Promise<void>;
  /** The serving check, now. */
  expectServing(what: string): Promise<void>;
  authHeaders(): Record<string, string>;
}

/**
 * A real service on a free port over in-memory PGlite for one fuzz file.
 * The command rate is opened up so valid fuzzed commands reach their handlers
 * (rate limiting is not the edge under test); long polls hold at most 300 ms,
 * so a fuzzed `timeout` can never hold a case for 25 s.
 */
export function useFuzzServer(
  options: { operatorToken?: string; features?: Feature[]; config?: NonNullable<Parameters<typeof startServer>[0]>["config"] } = {},
): () => FuzzTarget {
  let target: FuzzTarget | undefined;
  beforeAll(async () => {
    const errors = trackUnhandledErrors();
    const running = await startServer({
      config: { commandLimits: { points: 1_000_000, windowSeconds: 1 }, longPollTimeoutMs: 300, operatorToken: options.operatorToken, ...options.config },
      features: options.features,
    });
    const fuzzer = await signIn(running.baseUrl, "Fuzzer");
    const client = await signIn(running.baseUrl, "Well Behaved");
    let cases = 0;
    const expectServing = (what: string) => expectServiceServing(running.baseUrl, client, what);
    target = {
      running,
      baseUrl: running.baseUrl,
      fuzzer,
      client,
      errors,
      digest: () => databaseDigest(running.db),
      expectDatabaseUnchanged: (before, what) => expectDatabaseUnchanged(running.db, before, what),
      async caseDone(what) {
        errors.expectNone(what);
        if (++cases % HEALTH_EVERY === 0) await expectServing(`after ${cases} cases (last: ${what})`);
      },
      expectServing,
      authHeaders: () => ({ authorization: `Bearer ${fuzzer.token}` }),
    };
  });
  afterAll(async () => {
    target?.errors.stop();
    await target?.running.stop();
  });
  return () => {
    if (!target) throw new Error("fuzz server not started");
    return target;
  };
}
