// Prisma CLI config: the JS schema engine over a driver adapter, so neither
// `generate` nor `migrate` ever downloads a native engine (see DESIGN.md).
// Apply migrations with `pnpm db:migrate` (src/cli/migrate.ts), not `prisma migrate`.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";
import { REPO_ROOT, readDbEnv } from "./src/env";
import { pgliteAdapter } from "./src/pglite-adapter";

export default defineConfig({
  schema: path.join(REPO_ROOT, "prisma/schema.prisma"),
  migrations: { path: path.join(REPO_ROOT, "prisma/migrations") },
  experimental: { adapter: true },
  engine: "js",
  // Opened by CLI commands that need a database (`migrate status`, `migrate diff`):
  // the same store the service uses. A PGlite folder allows one process at a time.
  async adapter() {
    const env = readDbEnv();
    if (env.DATABASE_URL) return new PrismaPg({ connectionString: env.DATABASE_URL, options: "-c TimeZone=UTC" });
    if (env.PGLITE_DIR === "memory") return pgliteAdapter(new PGlite());
    mkdirSync(env.PGLITE_DIR, { recursive: true });
    return pgliteAdapter(new PGlite(env.PGLITE_DIR));
  },
});
