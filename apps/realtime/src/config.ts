import { DEV_SESSION_SECRET, type Env } from "./env";
import type { RetentionPolicy, TopicRetention } from "./hub/memory-hub";
import type { AddressLimitsConfig } from "./limits/address-limits";
import { parseRateSpec } from "./limits/rate-spec";

/** What createServer needs to know; built from env in index.ts, by hand in tests. */
export interface ServerConfig {
  allowedOrigins: string[];
  sessionSecret: string;
  sessionTtlSeconds: number;
  cookieSecure: boolean;
  longPollTimeoutMs: number;
  /** Most a long poll lingers after the first event on a busy stream (up to four inter-event gaps, until it carries four events), to batch the ones behind it. */
  longPollLingerMs: number;
  /** Bytes a stream may have queued before its consumer counts as too slow and is cut. */
  maxBufferedBytes: number;
  /** Commands per user per window. */
  commandLimits: { points: number; windowSeconds: number };
  /**
   * Every command per user per window, retries answered from a receipt
   * included: charged before any database work, above the per-type budgets.
   */
  commandRequestLimits: { points: number; windowSeconds: number };
  /** Per client address (and global) rates: sign-ins, tickets, polls, subscribes, room creation. */
  addressLimits: AddressLimitsConfig;
  sseHeartbeatMs: number;
  /** Hub retention: count, age and bytes per topic, bytes in total, and idle-topic eviction. */
  retention: RetentionPolicy;
  /** How long close() waits for in-flight requests before it cuts what is left. */
  shutdownGraceMs: number;
  /** Most time a client may take to send a whole request; long polls and streams are not bound by it. */
  requestTimeoutMs: number;
  /**
   * Fastify `trustProxy`: which hops may set X-Forwarded-For (false: none, so `request.ip` is
   * the peer). Set it behind a reverse proxy, or every client shares the proxy's address.
   */
  trustProxy: boolean | number | string[];
  /** Bearer token for `/metrics`; undefined leaves it open. */
  metricsToken?: string;
  /** Bearer token of the operator's broadcast (POST /v1/notifications/broadcast); undefined turns broadcasts off. */
  operatorToken?: string;
  /** With Redis: the start of every key and bus channel (REDIS_KEY_PREFIX), e.g. `sb:`. */
  redisKeyPrefix: string;
  /** The flag definitions file (flagd format), validated at start-up; unset: the committed flags/flags.json. */
  flagsFile?: string;
  /** The background purge of old rows; `intervalMs: 0` turns it off. */
  purge: PurgeConfig;
  /** How long a reader counts as present after its last poll or closed stream. */
  presenceTtlMs: number;
  /** Open streams, sockets and held long polls per user and per client address, all transports together. */
  connectionLimits: { perUser: number; perIp: number };
  /** How often open connections' sessions are re-checked against the database (revocations made elsewhere). */
  sessionRevalidateMs: number;
  /** Most backlog one WebSocket subscribe sends before answering `more` (the client asks again). */
  subscribeBacklog: { events: number; bytes: number };
  /** Most one short or long poll answer carries before answering `more: true`. */
  pollAnswer: { events: number; bytes: number };
}

export interface PurgeConfig {
  intervalMs: number;
  receiptRetentionDays: number;
  /** Sessions are deleted this long after they expired or were revoked. */
  sessionRetentionDays: number;
}

/**
 * A game's topic is a tick stream (up to 30 events a second): a client that
 * falls further behind than this refetches the state (GET /v1/games/:id)
 * rather than replaying ticks, and a closed game's topic is forgotten soon.
 * 450 events are 30 s at 15 Hz (15 s at 30 Hz): enough for a reconnect, while a snapshot
 * comes every 30 ticks anyway. (2,000 held ~800 MiB at 300 games in pnpm bench:game.)
 */
export const GAME_TOPIC_RETENTION: TopicRetention = { count: 450, ageMs: 60 * 1000, bytesPerTopic: 4 * 1024 * 1024, topicIdleMs: 60 * 1000 };

/**
 * A lab stream runs up to 200 events (256 KiB) a second and is read live: 30 s
 * of history is enough to resume across a reconnect, and a stopped stream's
 * topic is forgotten soon after.
 */
export const LAB_TOPIC_RETENTION: TopicRetention = { count: 6000, ageMs: 30 * 1000, bytesPerTopic: 8 * 1024 * 1024, topicIdleMs: 60 * 1000 };

export const defaultConfig: ServerConfig = {
  allowedOrigins: ["http://localhost:3000"],
  sessionSecret: DEV_SESSION_SECRET,
  sessionTtlSeconds: 7 * 24 * 3600,
  cookieSecure: false,
  longPollTimeoutMs: 25_000,
  longPollLingerMs: 250,
  maxBufferedBytes: 1024 * 1024,
  commandLimits: { points: 30, windowSeconds: 10 },
  commandRequestLimits: { points: 120, windowSeconds: 10 },
  addressLimits: {
    session: parseRateSpec("10/1m,100/1d"),
    "session:global": parseRateSpec("100/1m"),
    ticket: parseRateSpec("60/1m"),
    // A tab polls about once a second; a NAT'd office shares one address.
    poll: parseRateSpec("40/1s"),
    subscribe: parseRateSpec("20/1s"),
    room: parseRateSpec("10/1m,50/1d"),
    "room:global": parseRateSpec("30/1m,1000/1d"),
  },
  sseHeartbeatMs: 15_000,
  retention: {
    count: 10_000,
    ageMs: 60 * 60 * 1000,
    bytesPerTopic: 16 * 1024 * 1024,
    bytesTotal: 256 * 1024 * 1024,
    topicIdleMs: 10 * 60 * 1000,
    kinds: { game: GAME_TOPIC_RETENTION, lab: LAB_TOPIC_RETENTION },
  },
  shutdownGraceMs: 10_000,
  requestTimeoutMs: 30_000,
  trustProxy: false,
  purge: { intervalMs: 3600_000, receiptRetentionDays: 7, sessionRetentionDays: 30 },
  presenceTtlMs: 15_000,
  connectionLimits: { perUser: 16, perIp: 256 },
  sessionRevalidateMs: 60_000,
  subscribeBacklog: { events: 1000, bytes: 1024 * 1024 },
  pollAnswer: { events: 1000, bytes: 1024 * 1024 },
  redisKeyPrefix: "sb:",
};


/** Secure cookies unless told otherwise, in production or when the browser side is https only. */
function cookieSecureFrom(env: Env): boolean {
  if (env.COOKIE_SECURE !== undefined) return env.COOKIE_SECURE;
  return env.NODE_ENV === "production" || env.ALLOWED_ORIGINS.every((origin) => origin.startsWith("https://"));
}

export function configFromEnv(env: Env): ServerConfig {
  return {
    allowedOrigins: env.ALLOWED_ORIGINS,
    sessionSecret: env.SESSION_SECRET,
    sessionTtlSeconds: env.SESSION_TTL_SECONDS,
    cookieSecure: cookieSecureFrom(env),
    longPollTimeoutMs: env.LONG_POLL_TIMEOUT_MS,
    longPollLingerMs: env.LONG_POLL_LINGER_MS,
    maxBufferedBytes: env.MAX_BUFFERED_BYTES,
    commandLimits: { points: env.COMMAND_RATE_POINTS, windowSeconds: env.COMMAND_RATE_WINDOW_SECONDS },
    commandRequestLimits: { points: env.COMMAND_REQUEST_RATE_POINTS, windowSeconds: env.COMMAND_REQUEST_RATE_WINDOW_SECONDS },
    addressLimits: {
      session: env.RATE_LIMIT_SESSION,
      "session:global": env.RATE_LIMIT_SESSION_GLOBAL,
      ticket: env.RATE_LIMIT_TICKET,
      poll: env.RATE_LIMIT_POLL,
      subscribe: env.RATE_LIMIT_SUBSCRIBE,
      room: env.RATE_LIMIT_ROOM,
      "room:global": env.RATE_LIMIT_ROOM_GLOBAL,
    },
    sseHeartbeatMs: env.SSE_HEARTBEAT_MS,
    retention: {
      count: env.RETENTION_COUNT,
      ageMs: env.RETENTION_AGE_MS,
      bytesPerTopic: env.RETENTION_BYTES_PER_TOPIC,
      bytesTotal: env.RETENTION_BYTES_TOTAL,
      topicIdleMs: env.TOPIC_IDLE_MS,
      kinds: { game: GAME_TOPIC_RETENTION, lab: LAB_TOPIC_RETENTION },
    },
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    trustProxy: env.TRUST_PROXY,
    metricsToken: env.METRICS_TOKEN,
    operatorToken: env.OPERATOR_TOKEN,
    flagsFile: env.FLAGS_FILE,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    purge: {
      intervalMs: env.PURGE_INTERVAL_MS,
      receiptRetentionDays: env.RECEIPT_RETENTION_DAYS,
      sessionRetentionDays: env.SESSION_RETENTION_DAYS,
    },
    presenceTtlMs: env.PRESENCE_TTL_MS,
    connectionLimits: { perUser: env.MAX_CONNECTIONS_PER_USER, perIp: env.MAX_CONNECTIONS_PER_IP },
    sessionRevalidateMs: env.SESSION_REVALIDATE_MS,
    subscribeBacklog: defaultConfig.subscribeBacklog,
    pollAnswer: defaultConfig.pollAnswer,
  };
}
