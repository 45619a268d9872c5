// `pnpm build` for the service: ESM bundles run with plain `node`: dist/index.js (the service)
// and dist/migrate.js (`pnpm db:migrate` without tsx, for images and release steps).
// The workspace packages (@repo/*) are TypeScript sources, so they are bundled in; npm
// packages stay external and load from node_modules as usual (PGlite finds its WASM next
// to its own files, Prisma its query compiler). Every external must therefore be a
// dependency of this package, or `node dist/index.js` could not resolve it: checked below.
import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT_DIR = path.join(PACKAGE_DIR, "dist");
/** @repo/db's migrations CLI: applies prisma/migrations to DATABASE_URL (or PGlite) and exits. */
const MIGRATE_CLI = path.resolve(PACKAGE_DIR, "../../packages/db/src/cli/migrate.ts");

/** The npm package a bare import names: `@scope/name` or `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

const isBare = (specifier: string) => !specifier.startsWith(".") && !path.isAbsolute(specifier);

/** Bare imports stay external except the workspace's own packages. */
const externalNpmPackages: Plugin = {
  name: "external-npm-packages",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === "entry-point" || !isBare(args.path) || args.path.startsWith("@repo/")) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/** The generated Prisma client the bundle inlines (`prisma generate`, @repo/db's generate task). */
const PRISMA_CLIENT = path.resolve(PACKAGE_DIR, "../../packages/db/src/generated/prisma/client.ts");

async function main(): Promise<void> {
  if (!existsSync(PRISMA_CLIENT)) {
    throw new Error("the Prisma client is not generated: run `pnpm build` at the repo root (turbo runs prisma generate first) or `pnpm generate`.");
  }
  await rm(OUT_DIR, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: { index: "src/index.ts", migrate: MIGRATE_CLI },
    outdir: OUT_DIR,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    metafile: true,
    logLevel: "warning",
    plugins: [externalNpmPackages],
  });

  const manifest = JSON.parse(readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  const declared = new Set(Object.keys(manifest.dependencies ?? {}));
  const externals = new Set(
    Object.values(result.metafile.outputs)
      .flatMap((output) => output.imports)
      .filter((entry) => entry.external && !entry.path.startsWith("node:"))
      .map((entry) => packageName(entry.path)),
  );
  const missing = [...externals].filter((name) => !declared.has(name)).sort();
  if (missing.length > 0) {
    throw new Error(
      `dist/ imports ${missing.join(", ")}, which apps/realtime/package.json does not list under ` +
        `"dependencies": node could not resolve them at run time. Add them (catalog: versions).`,
    );
  }
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  console.log(`built dist/index.js and dist/migrate.js (${(bytes / 1024).toFixed(0)} KiB with source maps; ${externals.size} npm packages external)`);
}

main().catch((error: unknown) => {
  console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
