// The only place the realtime service reads its environment.
import { existsSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";
import { parseRateSpec } from "./limits/rate-spec";
import { PACKAGE_ROOT } from "./package-root";

/** The repo root's `.env` (see `.env.example`), if present; real environment variables win. */
const DOT_ENV = path.resolve(PACKAGE_ROOT, "../../.env");

/** A dev-only secret: loud in logs, and used only when NODE_ENV is development or test. */
export const DEV_SESSION_SECRET = "switchboard-dev-secret-do-not-use-in-production-0000";

/** NODE_ENV values that may run without a real secret; anything else (unset too) counts as production. */
const RELAXED_ENVS = new Set(["development", "test"]);

/** One address or CIDR block, e.g. `10.0.0.0/8` or `::1`. */
function isAddressOrCidr(value: string): boolean {
  const [address = "", bits, ...rest] = value.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: `false` (default), `true` (trust every hop: only behind a proxy that overwrites
 * X-Forwarded-For), a hop count, or a comma list of proxy addresses/CIDRs.
 */
const TrustProxy = z
  .string()
  .trim()
  .transform((value, ctx): boolean | number | string[] => {
    if (value === "" || value === "false") return false;
    if (value === "true") return true;
    if (/^\d+$/.test(value)) return Number(value);
    const list = value.split(",").map((a) => a.trim()).filter(Boolean);
    const bad = list.filter((a) => !isAddressOrCidr(a));
    if (bad.length > 0) {
      ctx.addIssue({ code: "custom", message: `not true, false, a hop count or addresses/CIDRs: ${bad.join(", ")}` });
      return z.NEVER;
    }
    return list;
  });

const Origins = z
  .string()
  .transform((value) => value.split(",").map((o) => o.trim()).filter(Boolean))
  .pipe(z.array(z.url().transform((u) => new URL(u).origin)).min(1));

/** A rate such as "10/1m,100/1d" (see limits/rate-spec.ts), or "off". */
const RateSpec = z.string().transform((text, ctx) => {
  try {
    return parseRateSpec(text);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});

const EnvSchema = z
  .object({
    // No default: unset must not mean "development" (see the secret rule below).
    NODE_ENV: z.enum(["development", "test", "production"]).optional(),
    HOST: z.string().default("0.0.0.0"),
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    SESSION_SECRET: z.string().min(32, "SESSION_SECRET must be at least 32 characters").optional(),
    SESSION_TTL_SECONDS: z.coerce.number().int().positive().default(7 * 24 * 3600),
    ALLOWED_ORIGINS: Origins.default(["http://localhost:3000"]),
    /** Marks the session cookie Secure. Unset: on in production or when every allowed origin is https. */
    COOKIE_SECURE: z
      .enum(["true", "false"])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === "true")),
    /** Most time a client may take to send one whole request (headers and body); bounds slow-body attacks. */
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
    TRUST_PROXY: TrustProxy.default(false),
    /** Unset: /metrics is open (local use). Set: it needs `Authorization: Bearer <token>`. */
    METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
    /** Unset: operator broadcasts are refused. Set: POST /v1/notifications/broadcast needs `Authorization: Bearer <token>`. */
    OPERATOR_TOKEN: z.string().min(32, "OPERATOR_TOKEN must be at least 32 characters").optional(),
    /**
     * Redis for several instances serving one audience (redis:// or rediss://, credentials in the
     * URL are never logged). Unset: the in-process hub (one instance).
     */
    REDIS_URL: z
      .url()
      .refine((url) => /^rediss?:\/\//.test(url), "REDIS_URL must start with redis:// or rediss://")
      .optional(),
    /** Every Redis key and bus channel of this service starts with it: several deployments (or test runs) can share one Redis. */
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[\w.:-]{1,64}$/, "REDIS_KEY_PREFIX: 1-64 letters, digits, '_', '.', ':' or '-'")
      .default("sb:"),
    /** Flag definitions (flagd JSON), validated at start-up. Unset: apps/realtime/flags/flags.json. */
    FLAGS_FILE: z.string().min(1).optional(),
    /** How often the purge of old receipts, sessions and guests runs; 0 turns it off. */
    PURGE_INTERVAL_MS: z.coerce.number().int().min(0).default(3600_000),
    RECEIPT_RETENTION_DAYS: z.coerce.number().positive().default(7),
    SESSION_RETENTION_DAYS: z.coerce.number().positive().default(30),
    LONG_POLL_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(25_000),
    LONG_POLL_LINGER_MS: z.coerce.number().int().min(0).max(5000).default(250),
    MAX_BUFFERED_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
    COMMAND_RATE_POINTS: z.coerce.number().int().positive().default(30),
    COMMAND_RATE_WINDOW_SECONDS: z.coerce.number().int().positive().default(10),
    /** Every command a user sends, retries included, before any database work (F13). */
    COMMAND_REQUEST_RATE_POINTS: z.coerce.number().int().positive().default(120),
    COMMAND_REQUEST_RATE_WINDOW_SECONDS: z.coerce.number().int().positive().default(10),
    /** Per client address unless _GLOBAL (see limits/address-limits.ts). */
    RATE_LIMIT_SESSION: RateSpec.default(parseRateSpec("10/1m,100/1d")),
    RATE_LIMIT_SESSION_GLOBAL: RateSpec.default(parseRateSpec("100/1m")),
    RATE_LIMIT_TICKET: RateSpec.default(parseRateSpec("60/1m")),
    RATE_LIMIT_POLL: RateSpec.default(parseRateSpec("40/1s")),
    RATE_LIMIT_SUBSCRIBE: RateSpec.default(parseRateSpec("20/1s")),
    RATE_LIMIT_ROOM: RateSpec.default(parseRateSpec("10/1m,50/1d")),
    RATE_LIMIT_ROOM_GLOBAL: RateSpec.default(parseRateSpec("30/1m,1000/1d")),
    SSE_HEARTBEAT_MS: z.coerce.number().int().min(1000).default(15_000),
    RETENTION_COUNT: z.coerce.number().int().positive().default(10_000),
    RETENTION_AGE_MS: z.coerce.number().int().positive().default(60 * 60 * 1000),
    /** Retained bytes per topic; an event counts twice its JSON size (the envelope and its cached JSON). */
    RETENTION_BYTES_PER_TOPIC: z.coerce.number().int().min(1024).default(16 * 1024 * 1024),
    /** Retained bytes over all topics; past it the oldest events go first, whatever their topic. */
    RETENTION_BYTES_TOTAL: z.coerce.number().int().min(1024).default(256 * 1024 * 1024),
    /** A topic with no listener, no event within RETENTION_AGE_MS and untouched this long is forgotten. */
    TOPIC_IDLE_MS: z.coerce.number().int().min(1000).default(10 * 60 * 1000),
    PRESENCE_TTL_MS: z.coerce.number().int().min(1000).default(15_000),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().nonnegative().default(10_000),
    MAX_CONNECTIONS_PER_USER: z.coerce.number().int().positive().default(16),
    MAX_CONNECTIONS_PER_IP: z.coerce.number().int().positive().default(256),
    SESSION_REVALIDATE_MS: z.coerce.number().int().min(1000).default(60_000),
  })
  // Fail closed: only an explicit development or test NODE_ENV may fall back to the public secret.
  .refine((env) => RELAXED_ENVS.has(env.NODE_ENV ?? "") || (env.SESSION_SECRET && env.SESSION_SECRET !== DEV_SESSION_SECRET), {
    message:
      "SESSION_SECRET must be set (32+ random characters, e.g. `openssl rand -base64 48`) unless NODE_ENV is development or test; NODE_ENV unset counts as production",
    path: ["SESSION_SECRET"],
  })
  .transform((env) => ({
    ...env,
    NODE_ENV: env.NODE_ENV ?? ("production" as const),
    SESSION_SECRET: env.SESSION_SECRET ?? DEV_SESSION_SECRET,
  }));

export type Env = z.infer<typeof EnvSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  if (source === process.env && existsSync(DOT_ENV)) process.loadEnvFile(DOT_ENV);
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid environment for the realtime service:\n${problems}`);
  }
  return parsed.data;
}
