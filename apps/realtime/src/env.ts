// The only place the realtime service reads its environment.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** The repo root's `.env` (see `.env.example`), if present; real environment variables win. */
const DOT_ENV = fileURLToPath(new URL("../../../.env", import.meta.url));

/** A dev-only secret: loud in logs, refused when NODE_ENV=production. */
export const DEV_SESSION_SECRET = "switchboard-dev-secret-do-not-use-in-production-0000";

const Origins = z
  .string()
  .transform((value) => value.split(",").map((o) => o.trim()).filter(Boolean))
  .pipe(z.array(z.url().transform((u) => new URL(u).origin)).min(1));

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
