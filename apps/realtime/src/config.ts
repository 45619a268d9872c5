import { DEV_SESSION_SECRET, type Env } from "./env";
import type { AddressLimitsConfig } from "./limits/address-limits";
import { parseRateSpec } from "./limits/rate-spec";

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
  /**
   * Every command per user per window, retries answered from a receipt
   * included: charged before any database work, above the per-type budgets.
   */
  commandRequestLimits: { points: number; windowSeconds: number };
  /** Per client address (and global) rates: sign-ins, tickets, polls, subscribes, room creation. */
  addressLimits: AddressLimitsConfig;
  /** Fastify's `trustProxy`: set it behind a reverse proxy, or every client shares the proxy's address. */
  trustProxy: boolean | number | string[];
  sseHeartbeatMs: number;
  retention: { count: number; ageMs: number };
  shutdownGraceMs: number;
  /** How long a reader counts as present after its last poll or closed stream. */
  presenceTtlMs: number;
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
  trustProxy: false,
  sseHeartbeatMs: 15_000,
  retention: { count: 10_000, ageMs: 60 * 60 * 1000 },
  shutdownGraceMs: 10_000,
  presenceTtlMs: 15_000,
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
    trustProxy: env.TRUST_PROXY,
    sseHeartbeatMs: env.SSE_HEARTBEAT_MS,
    retention: { count: env.RETENTION_COUNT, ageMs: env.RETENTION_AGE_MS },
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    presenceTtlMs: env.PRESENCE_TTL_MS,
  };
}
