// The production builds the cluster runs: the service's bundle (turbo: prisma generate, then
// esbuild) and the web app's `next build` for the cluster's origin, in a distDir of its own so
// it never overwrites the .next of `pnpm dev`, `pnpm build` or the browser tests.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { REPO_ROOT, WEB_DIR } from "../paths";
import { ClusterError } from "./cluster-error";

/** The web app's distDir in cluster mode (next.config.ts reads NEXT_DIST_DIR). */
export const CLUSTER_DIST_DIR = ".next-cluster";

/** Whether `distDir` (relative to apps/web) holds a finished `next build`. */
export const hasWebBuild = (distDir: string) => existsSync(path.join(WEB_DIR, distDir, "BUILD_ID"));

/** The `next` CLI of apps/web, run with node directly (no pnpm wrapper between us and it). */
export const nextBin = () => createRequire(path.join(WEB_DIR, "package.json")).resolve("next/dist/bin/next");

function run(what: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", (error) => reject(new ClusterError("build_failed", `${what}: ${error.message}`)));
    child.once("exit", (code) => {
      if (code === 0) resolve();
      else reject(new ClusterError("build_failed", `${what} failed (exit ${code}):\n${output.trim().split("\n").slice(-25).join("\n")}`));
    });
  });
}

export function buildRealtime(env: NodeJS.ProcessEnv): Promise<void> {
  return run(
    "the realtime build (turbo run build --filter=@repo/realtime)",
    "pnpm",
    ["exec", "turbo", "run", "build", "--filter=@repo/realtime", "--output-logs=errors-only"],
    REPO_ROOT,
    env,
  );
}

/** NEXT_PUBLIC_REALTIME_URL is inlined at build time: the build is for one origin. */
export function buildWeb(origin: string, distDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  return run("the web build (next build)", process.execPath, [nextBin(), "build"], WEB_DIR, {
    ...env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_PUBLIC_REALTIME_URL: origin,
    NEXT_DIST_DIR: distDir,
  });
}
