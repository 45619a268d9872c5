import { DEV_SESSION_SECRET, type Env } from "./env";
import type { RetentionPolicy } from "./hub/memory-hub";

/** What createServer needs to know; built from env in index.ts, by hand in tests. */
export interface ServerConfig {
  allowedOrigins: string[];
  sessionSecret: string;
  sessionTtlSeconds: number;
  cookieSecure: boolean;
  longPollTimeoutMs: number;
  /** Most a long poll lingers after the first event on a busy stream (it waits two inter-event gaps), to batch the ones behind it. */
  longPollLingerMs: number;
  /** Bytes a stream may have queued before its consumer counts as too slow and is cut. */
  maxBufferedBytes: number;
  /** Commands per user per window. */
  commandLimits: { points: number; windowSeconds: number };
  sseHeartbeatMs: number;
  /** Hub retention: count, age and bytes per topic, bytes in total, and idle-topic eviction. */
  retention: RetentionPolicy;
  shutdownGraceMs: number;
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

export const defaultConfig: ServerConfig = {
  allowedOrigins: ["http://localhost:3000"],
  sessionSecret: DEV_SESSION_SECRET,
  sessionTtlSeconds: 7 * 24 * 3600,
  cookieSecure: false,
  longPollTimeoutMs: 25_000,
  longPollLingerMs: 250,
  maxBufferedBytes: 1024 * 1024,
  commandLimits: { points: 30, windowSeconds: 10 },
  sseHeartbeatMs: 15_000,
  retention: {
    count: 10_000,
    ageMs: 60 * 60 * 1000,
    bytesPerTopic: 16 * 1024 * 1024,
    bytesTotal: 256 * 1024 * 1024,
    topicIdleMs: 10 * 60 * 1000,
  },
  shutdownGraceMs: 10_000,
  presenceTtlMs: 15_000,
  connectionLimits: { perUser: 16, perIp: 256 },
  sessionRevalidateMs: 60_000,
  subscribeBacklog: { events: 1000, bytes: 1024 * 1024 },
  pollAnswer: { events: 1000, bytes: 1024 * 1024 },
};

export function configFromEnv(env: Env): ServerConfig {
  return {
    allowedOrigins: env.ALLOWED_ORIGINS,
    sessionSecret: env.SESSION_SECRET,
    sessionTtlSeconds: env.SESSION_TTL_SECONDS,
    cookieSecure: env.COOKIE_SECURE,
    longPollTimeoutMs: env.LONG_POLL_TIMEOUT_MS,
    longPollLingerMs: env.LONG_POLL_LINGER_MS,
    maxBufferedBytes: env.MAX_BUFFERED_BYTES,
    commandLimits: { points: env.COMMAND_RATE_POINTS, windowSeconds: env.COMMAND_RATE_WINDOW_SECONDS },
    sseHeartbeatMs: env.SSE_HEARTBEAT_MS,
    retention: {
      count: env.RETENTION_COUNT,
      ageMs: env.RETENTION_AGE_MS,
      bytesPerTopic: env.RETENTION_BYTES_PER_TOPIC,
      bytesTotal: env.RETENTION_BYTES_TOTAL,
      topicIdleMs: env.TOPIC_IDLE_MS,
    },
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    presenceTtlMs: env.PRESENCE_TTL_MS,
    connectionLimits: { perUser: env.MAX_CONNECTIONS_PER_USER, perIp: env.MAX_CONNECTIONS_PER_IP },
    sessionRevalidateMs: env.SESSION_REVALIDATE_MS,
    subscribeBacklog: defaultConfig.subscribeBacklog,
    pollAnswer: defaultConfig.pollAnswer,
  };
}
