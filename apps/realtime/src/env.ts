// The only place the realtime service reads its environment.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { parseRateSpec } from "./limits/rate-spec";

/** The repo root's `.env` (see `.env.example`), if present; real environment variables win. */
const DOT_ENV = fileURLToPath(new URL("../../../.env", import.meta.url));

/** A dev-only secret: loud in logs, refused when NODE_ENV=production. */
export const DEV_SESSION_SECRET = "switchboard-dev-secret-do-not-use-in-production-0000";

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

/** Fastify's trustProxy: "false", "true", a hop count, or comma-separated proxy addresses/CIDRs. */
const TrustProxy = z.string().transform((text): boolean | number | string[] => {
  const value = text.trim();
  if (value === "" || value === "false") return false;
  if (value === "true") return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(",").map((a) => a.trim()).filter(Boolean);
});

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    HOST: z.string().default("0.0.0.0"),
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    SESSION_SECRET: z.string().min(32, "SESSION_SECRET must be at least 32 characters").default(DEV_SESSION_SECRET),
    SESSION_TTL_SECONDS: z.coerce.number().int().positive().default(7 * 24 * 3600),
    ALLOWED_ORIGINS: Origins.default(["http://localhost:3000"]),
    /** Set when the service sits behind HTTPS: marks the session cookie Secure. */
    COOKIE_SECURE: z
      .enum(["true", "false"])
      .default("false")
      .transform((v) => v === "true"),
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
    /** Behind a reverse proxy, per-address limits need the client's address from X-Forwarded-For. */
    TRUST_PROXY: TrustProxy.default(false),
    SSE_HEARTBEAT_MS: z.coerce.number().int().min(1000).default(15_000),
    RETENTION_COUNT: z.coerce.number().int().positive().default(10_000),
    RETENTION_AGE_MS: z.coerce.number().int().positive().default(60 * 60 * 1000),
    PRESENCE_TTL_MS: z.coerce.number().int().min(1000).default(15_000),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().nonnegative().default(10_000),
  })
  .refine((env) => env.NODE_ENV !== "production" || env.SESSION_SECRET !== DEV_SESSION_SECRET, {
    message: "SESSION_SECRET must be set in production",
    path: ["SESSION_SECRET"],
  });

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
