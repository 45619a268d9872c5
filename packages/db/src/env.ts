// The only place @repo/db reads its environment.
import path from "node:path";
import { z } from "zod";
import { REPO_ROOT } from "./repo-root";

/** The repository root, found from this file so it holds whatever the cwd. */
export { REPO_ROOT };

/** An unset or empty variable both mean "not configured". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

const EnvSchema = z.object({
  /** Real PostgreSQL; when absent the embedded PGlite store is used. */
  DATABASE_URL: optional(
    z.string().refine((url) => /^postgres(ql)?:\/\//.test(url), "must start with postgres:// or postgresql://"),
  ),
  /**
   * Most PostgreSQL connections one instance opens (its pool). Size it so that
   * instances × DATABASE_POOL_MAX stays under the server's max_connections
   * (100 by default) with room for migrations and admin sessions.
   */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** How long a query waits for a free pool connection before it fails. */
  DATABASE_POOL_WAIT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /**
   * Where PGlite keeps its data; "memory" keeps none. A relative path is taken
   * from the repo root, since pnpm runs scripts from each package's folder.
   */
  PGLITE_DIR: optional(z.string()).transform((dir) =>
    dir === "memory" ? dir : path.resolve(REPO_ROOT, dir ?? ".data/pglite"),
  ),
});

export type DbEnv = z.infer<typeof EnvSchema>;

export function readDbEnv(source: NodeJS.ProcessEnv = process.env): DbEnv {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid database environment:\n${problems}`);
  }
  return parsed.data;
}
