import cookie from "@fastify/cookie";
import { MAX_COMMAND_BYTES } from "@repo/protocol";
import { readStoredFlags, type Database } from "@repo/db";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import pino from "pino";
import { createAuth, type Auth } from "./auth/auth";
import { createCommandDispatcher } from "./commands/dispatcher";
import { createRedisInFlightClaims } from "./commands/in-flight-claims";
import { createDatabaseReceipts } from "./commands/database-receipts";
import { defaultConfig, type ServerConfig } from "./config";
import { composeFeatures } from "./features/compose-features";
import { createFeatureEvents } from "./features/feature-events";
import { readFlagDefinitions } from "./flags/flag-definitions";
import { createServiceFlags, type ServiceFlags } from "./flags/service-flags";
import { createTransportGate } from "./flags/transport-gate";
import type { Feature } from "./features/feature";
export { defineFeature, type Feature, type FeatureContext, type FeatureParts } from "./features/feature";
export { connectRedis } from "./hub/redis/redis-connection";
import { defaultFeatures } from "./features/index";
import { createDrain } from "./http/drain";
import { registerErrorHandling } from "./http/errors";
import { createOriginPolicy, registerOriginPolicy } from "./http/origin";
import { registerProtocolVersion } from "./http/protocol-version";
import { registerHealthRoutes } from "./http/routes/health";
import { registerMetricsRoute } from "./http/routes/metrics";
import { registerSessionRoutes } from "./http/routes/session";
import { frameworkErrorOptions } from "./http/framework-errors";
import { serverOptions } from "./http/server-options";
import { createAddressLimits, type AddressLimits, type AddressLimitsConfig } from "./limits/address-limits";
import { redisRateLimiters } from "./limits/redis-rate-limiters";
import type { Redis } from "ioredis";
import { createRedisTicketLedger } from "./auth/ticket-ledger";
import { localRoster, redisRoster, type ClusterRoster } from "./cluster/cluster-roster";
import { READ_REVOKED_CHANNEL, ReadRevokedMessage, createLocalBus, createRedisBus } from "./cluster/cluster-bus";
import type { Hub } from "./hub/hub";
import { createMemoryHub } from "./hub/memory-hub";
import { createRedisHub } from "./hub/redis/redis-hub";
import { createSharedPresence } from "./hub/redis/shared-presence";
import { startPurgeJob } from "./maintenance/purge-job";
import { createPresence, type Presence } from "./hub/presence";
import { createTopicPolicy } from "./hub/topic-policy";
import { createMetrics, type Metrics } from "./observability/metrics";
import { loggerOptions } from "./observability/logger";
import { createSubscriptionCore } from "./subscriptions/subscription-core";
import type { TransportContext } from "./transports/context";
import { registerHttpCommands } from "./transports/http-commands";
import { registerLongPolling } from "./transports/long-polling";
import { registerPolling } from "./transports/polling";
import { registerSse } from "./transports/sse";
import { attachWebSocket } from "./transports/websocket";

export interface ServerDeps {
  db: Database;
  /** Over defaultConfig; `addressLimits` is merged per kind. */
  config?: Partial<Omit<ServerConfig, "addressLimits">> & { addressLimits?: Partial<AddressLimitsConfig> };
  /** A pino logger, or a level for a fresh one ("silent" in tests). */
  logger?: FastifyBaseLogger | { level: string };
  /** The event hub; the Redis one when `redis` is given, else the in-process one. */
  hub?: Hub;
  /** A Redis command connection (createRedisConnection): the hub lives there and `/readyz` reports it. */
  redis?: Redis;
  /** The features to run; `defaultFeatures(config)` (features/index.ts) when left out. */
  features?: Feature[];
  /** Flag definitions (flagd JSON) instead of reading `config.flagsFile`; validated the same way. */
  flagDefinitions?: string;
}

export interface RealtimeServer {
  app: FastifyInstance;
  auth: Auth;
  hub: Hub;
  presence: Presence;
  metrics: Metrics;
  /** The service's feature flags (OpenFeature client over flagd-core; `flags.store.load` changes them). */
  flags: ServiceFlags;
  config: ServerConfig;
  /** Per client address (and global) rate limits; the transports charge `poll` and `subscribe`. */
  addressLimits: AddressLimits;
  /** Open streams and held requests (for leak checks). */
  openConnections(): number;
  /** Binds the HTTP server (port 0 picks a free port); resolves to its base URL. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /** Graceful stop: refuse new work, end open streams with a reason, drain, close. Does not close `db`. */
  close(): Promise<void>;
}

function isLogger(value: ServerDeps["logger"]): value is FastifyBaseLogger {
  return typeof (value as FastifyBaseLogger).child === "function";
}

/** Builds the realtime service without listening; only index.ts (and tests, on port 0) call listen(). */
export async function createServer(deps: ServerDeps): Promise<RealtimeServer> {
  const config: ServerConfig = {
    ...defaultConfig,
    ...deps.config,
    addressLimits: { ...defaultConfig.addressLimits, ...deps.config?.addressLimits },
  };
  const logger = deps.logger ?? { level: "info" };
  const app: FastifyInstance = Fastify({
    loggerInstance: isLogger(logger) ? logger : pino(loggerOptions(logger.level)),
    bodyLimit: MAX_COMMAND_BYTES,
    ...serverOptions(config),
    ...frameworkErrorOptions(),
  });

  const onListenerError = (err: unknown, topic: string) => app.log.error({ err, topic }, "hub listener threw");
  const hub =
    deps.hub ??
    (deps.redis
      ? createRedisHub({
          redis: deps.redis,
          retention: config.retention,
          keyPrefix: config.redisKeyPrefix,
          onListenerError,
          onLiveResumed: (topics) => app.log.warn({ topics }, "hub: live channel to Redis is back; subscribers re-read"),
        })
      : createMemoryHub(config.retention, Date.now, { onListenerError }));
  // On Redis, presence is everyone's: a join or leave is announced once, whichever instance serves the reader.
  const presence = deps.redis
    ? createSharedPresence({
        redis: deps.redis,
        keyPrefix: config.redisKeyPrefix,
        ttlMs: config.presenceTtlMs,
        onError: (err) => app.log.warn({ err }, "presence: a Redis call failed (the local view carries on)"),
      })
    : createPresence({ ttlMs: config.presenceTtlMs });
  const metrics = createMetrics();
  // On Redis, a sign-out reaches every instance at once and a ticket is single-use across all of them.
  const bus = deps.redis ? createRedisBus(deps.redis, { prefix: config.redisKeyPrefix }) : createLocalBus();
  const ledger = deps.redis ? createRedisTicketLedger(deps.redis, `${config.redisKeyPrefix}ticket:`) : undefined;
  const auth = createAuth({ db: deps.db, secret: config.sessionSecret, sessionTtlSeconds: config.sessionTtlSeconds, ledger, bus });
  // On Redis, every instance charges the same buckets.
  const limiters = deps.redis ? redisRateLimiters(deps.redis, `${config.redisKeyPrefix}rl:`) : undefined;
  const addressLimits = createAddressLimits(config.addressLimits, { limiters });
  const origins = createOriginPolicy(config.allowedOrigins);
  const topics = createTopicPolicy();
  const events = createFeatureEvents(app.log.child({ component: "feature-events" }));
  const flags = await createFlagsOrClose();
  async function createFlagsOrClose() {
    try {
      // What an operator saved wins over the file: every instance then runs the same set.
      const stored = deps.flagDefinitions === undefined ? await readStoredFlags(deps.db.prisma) : null;
      const definitions = deps.flagDefinitions ?? stored?.definitions ?? readFlagDefinitions(config.flagsFile);
      const source = stored ? "the database (flag_definitions)" : (config.flagsFile ?? "flags/flags.json");
      return await createServiceFlags({ definitions, source, log: app.log.child({ component: "flags" }), registry: metrics.registry });
    } catch (error) {
      // Invalid definitions refuse the start, naming the rule (FlagDefinitionError).
      presence.close();
      await hub.close();
      await bus.close();
      throw error;
    }
  }
  const features = await composeOrClose(deps.features ?? defaultFeatures(config), (feature) => ({
    hub,
    events,
    flags,
    presence,
    db: deps.db,
    auth,
    bus,
    addressLimits,
    metrics: metrics.registry,
    log: app.log.child({ feature: feature.name }),
    config: feature.config,
    revokeRead: (userId, topic) => {
      topics.revoke(userId, topic);
      bus.publish(READ_REVOKED_CHANNEL, JSON.stringify({ userId, topic }));
    },
    onReadRevoked: (listener) => topics.onRevoke(listener),
    // Called on requests only, once the subscription core below exists.
    connectedUsers: () => core.registry.connectedUsers(),
    clusterUsers: () => roster.users(),
    shared: deps.redis ? { redis: deps.redis, keyPrefix: config.redisKeyPrefix } : undefined,
  }));
  // A revocation on another instance (leaving a room there): stop delivering here too. Revoking twice is a no-op.
  bus.subscribe(READ_REVOKED_CHANNEL, (message) => {
    const revoked = ReadRevokedMessage.safeParse(JSON.parse(message));
    if (revoked.success) topics.revoke(revoked.data.userId, revoked.data.topic);
  });
  async function composeOrClose(...args: Parameters<typeof composeFeatures>) {
    try {
      return composeFeatures(...args);
    } catch (error) {
      // A registration conflict: nothing has started yet but the hub's and presence's timers.
      presence.close();
      await hub.close();
      await bus.close();
      await flags.close();
      throw error;
    }
  }
  for (const [kind, authorizer] of features.topics) topics.register(kind, authorizer);
  const dispatcher = createCommandDispatcher({
    commands: features.commands,
    receipts: createDatabaseReceipts(deps.db),
    limits: config.commandLimits,
    requestLimits: config.commandRequestLimits,
    limiters,
    claims: deps.redis ? createRedisInFlightClaims(deps.redis, `${config.redisKeyPrefix}cmd:`) : undefined,
    metrics,
    log: app.log,
  });
  const gate = createTransportGate(flags);
  await gate.refresh();
  const core = createSubscriptionCore({
    hub,
    presence,
    topics,
    auth,
    metrics,
    log: app.log,
    maxBufferedBytes: config.maxBufferedBytes,
    connectionLimits: config.connectionLimits,
    sessionRevalidateMs: config.sessionRevalidateMs,
    gate,
  });
  // Who is connected to the whole service (the flag preview): every instance's users on Redis.
  const roster: ClusterRoster = deps.redis
    ? redisRoster(deps.redis, config.redisKeyPrefix, () => core.registry.connectedUsers(), (err) => app.log.warn({ err }, "roster: a Redis write failed"))
    : localRoster(() => core.registry.connectedUsers());
  // A kill switch turned off moves that transport's open connections elsewhere (closing notice naming where).
  const stopKillSwitches = flags.store.onChange(() => {
    gate
      .refresh()
      .then((switchedOff) => {
        for (const transport of switchedOff) {
          app.log.warn({ transport, open: core.registry.sizeOf(transport) }, "transport switched off: moving its connections");
          core.registry.endTransport(transport, gate.closingNotice(transport));
        }
      })
      .catch((err: unknown) => app.log.error({ err }, "reading the kill switches failed"));
  });
  const context: TransportContext = { hub, presence, auth, topics, dispatcher, metrics, config, origins, core, addressLimits, flags };

  registerErrorHandling(app);
  await registerOriginPolicy(app, origins);
  await app.register(cookie);
  const drain = createDrain(app, config.shutdownGraceMs);
  registerProtocolVersion(app);
  registerHealthRoutes(app, { db: deps.db, redis: deps.redis, isDraining: drain.isDraining });
  registerMetricsRoute(app, metrics, hub, { token: config.metricsToken });
  registerSessionRoutes(app, { auth, cookieSecure: config.cookieSecure, addressLimits, gate });
  registerHttpCommands(app, context);
  registerPolling(app, context);
  registerLongPolling(app, context);
  registerSse(app, context);
  const websocket = attachWebSocket(app.server, context, app.log);
  for (const register of features.routes) register(app);
  const stops: Array<() => void> = [];
  try {
    for (const job of features.jobs) stops.push(await job.start());
  } catch (error) {
    // A feature could not start (e.g. the database is down): undo what is running, then fail.
    stopKillSwitches();
    for (const stop of stops) stop();
    roster.close();
    await websocket.close({ reason: "server_shutdown", message: "The server failed to start" });
    await app.close();
    presence.close();
    await hub.close();
    await bus.close();
    await flags.close();
    throw error;
  }
  const purge = startPurgeJob({ db: deps.db, config: config.purge, log: app.log.child({ job: "purge" }) });

  let closing: Promise<void> | undefined;
  return {
    app,
    auth,
    hub,
    presence,
    metrics,
    flags,
    config,
    addressLimits,
    openConnections: () => core.registry.size(),
    async listen(options = {}) {
      return app.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1" });
    },
    close() {
      closing ??= (async () => {
        drain.begin();
        stopKillSwitches();
        for (const stop of stops) stop();
        roster.close();
        const notice = { reason: "server_shutdown", message: "The server is restarting; reconnect" } as const;
        core.registry.closeAll(notice);
        await websocket.close(notice);
        core.close();
        // In-flight requests (e.g. a command mid-write) finish within the grace period.
        await drain.close();
        await purge.stop();
        presence.close();
        await hub.close();
        await bus.close();
        await flags.close();
      })();
      return closing;
    },
  };
}
