import { randomUUID } from "node:crypto";
import { NOOP_PROVIDER, OpenFeature, type Client, type EvaluationContext, type Hook } from "@openfeature/server-sdk";
import { FLAG_KEYS, FOLLOW_DEFAULT_TRANSPORT, TransportName, transportEnabledFlag } from "@repo/protocol";
import type { FastifyBaseLogger } from "fastify";
import { LRUCache } from "lru-cache";
import { Counter, type Registry } from "prom-client";
import { FlagStore } from "./flag-store";
import { FlagStoreProvider } from "./flags-provider";

/** The features that have a transport flag of their own. */
export type FlagFeature = "chat" | "notifications" | "game";

const FEATURE_TRANSPORT_FLAG: Record<FlagFeature, string> = {
  chat: FLAG_KEYS.chatTransport,
  notifications: FLAG_KEYS.notificationsTransport,
  game: FLAG_KEYS.gameTransport,
};

/** Who a flag is evaluated for. */
export interface FlagSubject {
  id: string;
  name?: string;
}

/** The evaluation context of a user: their id is the targeting key (rollout buckets are per user, sticky). */
export function evaluationContextOf(user: FlagSubject): EvaluationContext {
  return { targetingKey: user.id, ...(user.name === undefined ? {} : { name: user.name }) };
}

/** Reads about the service as a whole (kill switches), not about one user. */
const SERVICE_CONTEXT: EvaluationContext = { targetingKey: "switchboard-service" };

export interface ServiceFlags {
  readonly store: FlagStore;
  /** The OpenFeature client every read below goes through (its hooks log and count). */
  readonly client: Client;
  /** The transport a user's feature should run on (its own flag, or the default when it says `default`). */
  transportFor(feature: FlagFeature, user: FlagSubject): Promise<TransportName>;
  /** A transport's kill switch: false when it is out of service. */
  transportEnabled(transport: TransportName): Promise<boolean>;
  pollingIntervalMs(user: FlagSubject): Promise<number>;
  longPollHoldMs(user: FlagSubject): Promise<number>;
  gameTickHz(): Promise<number>;
  close(): Promise<void>;
}

/** Code defaults: what a read answers if a flag cannot be evaluated (the definitions are validated, so only in a fault). */
const FALLBACK = { transport: "websocket", pollingIntervalMs: 1000, longPollHoldMs: 25_000, gameTickHz: 15 } as const;

/**
 * The service's flags: a FlagStore behind an OpenFeature provider, in a
 * domain of its own (several servers in one process never share a provider),
 * with a hook that counts evaluations by flag and reason in /metrics and logs
 * errors, and a log line and a counter per change of definitions.
 */
export async function createServiceFlags(options: {
  definitions: string;
  /** Where the definitions came from, for a refusal's message (a file's path, or "the database"). */
  source?: string;
  log: FastifyBaseLogger;
  registry: Registry;
}): Promise<ServiceFlags> {
  const { log } = options;
  const store = new FlagStore(
    options.definitions,
    {
    error: (...args: unknown[]) => log.error({ args }, "flag evaluation error"),
    warn: (...args: unknown[]) => log.warn({ args }, "flag evaluation warning"),
    info: () => {},
    debug: () => {},
    },
    options.source,
  );
  const evaluations = new Counter({
    name: "switchboard_flag_evaluations_total",
    help: "Flag evaluations (service reads and OFREP), by flag and reason",
    labelNames: ["flag", "reason"] as const,
    registers: [options.registry],
  });
  const changes = new Counter({ name: "switchboard_flag_changes_total", help: "Flag definition changes applied", registers: [options.registry] });
  const stopLogging = store.onChange(({ etag, flagsChanged }) => {
    changes.inc();
    log.info({ etag, flagsChanged }, "flag definitions changed");
  });

  const provider = new FlagStoreProvider(store);
  const domain = `switchboard-${randomUUID()}`;
  await OpenFeature.setProviderAndWait(domain, provider);
  const client = OpenFeature.getClient(domain);
  const observe: Hook = {
    after(hook, details) {
      evaluations.inc({ flag: hook.flagKey, reason: details.reason ?? "UNKNOWN" });
    },
    error(hook, error) {
      evaluations.inc({ flag: hook.flagKey, reason: "ERROR" });
      log.warn({ flag: hook.flagKey, err: error }, "flag evaluation failed");
    },
  };
  client.addHooks(observe);

  const transport = async (key: string, context: EvaluationContext): Promise<string> => client.getStringValue(key, FALLBACK.transport, context);

  // Every short and long poll reads its user's interval or hold: a full OpenFeature evaluation
  // (hooks, context merging) was a tenth of a poll's CPU (pnpm bench, long polling). A user's
  // answer holds until the definitions change, so it is kept until then (and a few seconds at most).
  const perRequest = new LRUCache<string, number>({ max: 50_000, ttl: 5000 });
  const stopForgetting = store.onChange(() => perRequest.clear());
  async function numberForUser(key: string, fallback: number, user: FlagSubject): Promise<number> {
    const cacheKey = `${key}\u0000${user.id}\u0000${user.name ?? ""}`;
    const known = perRequest.get(cacheKey);
    if (known !== undefined) return known;
    const etag = store.etag;
    const value = await client.getNumberValue(key, fallback, evaluationContextOf(user));
    // A change that landed during the evaluation must not be shadowed by the older answer.
    if (store.etag === etag) perRequest.set(cacheKey, value);
    return value;
  }

  return {
    store,
    client,
    async transportFor(feature, user) {
      const context = evaluationContextOf(user);
      const own = await transport(FEATURE_TRANSPORT_FLAG[feature], context);
      const value = own === FOLLOW_DEFAULT_TRANSPORT ? await transport(FLAG_KEYS.defaultTransport, context) : own;
      return TransportName.catch(FALLBACK.transport).parse(value);
    },
    transportEnabled: (name) => client.getBooleanValue(transportEnabledFlag(name), true, SERVICE_CONTEXT),
    pollingIntervalMs: (user) => numberForUser(FLAG_KEYS.pollingIntervalMs, FALLBACK.pollingIntervalMs, user),
    longPollHoldMs: (user) => numberForUser(FLAG_KEYS.longPollHoldMs, FALLBACK.longPollHoldMs, user),
    gameTickHz: () => client.getNumberValue(FLAG_KEYS.gameTickHz, FALLBACK.gameTickHz, SERVICE_CONTEXT),
    async close() {
      stopLogging();
      stopForgetting();
      await OpenFeature.setProviderAndWait(domain, NOOP_PROVIDER);
      await provider.onClose();
    },
  };
}
