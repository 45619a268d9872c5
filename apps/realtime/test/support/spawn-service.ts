import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const serviceDir = fileURLToPath(new URL("../..", import.meta.url));
const faultInjector = fileURLToPath(new URL("./fault-injector.mjs", import.meta.url));

/**
 * The real entry point (src/index.ts) as its own process, the way `pnpm start` runs it
 * (with NODE_ENV=test from vitest unless `env` says otherwise; `undefined` removes a variable).
 */
export function startService(options: { env?: Record<string, string | undefined>; injectFaults?: boolean } = {}) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    PGLITE_DIR: "memory",
    LOG_LEVEL: "info",
    DATABASE_URL: "",
    ...options.env,
  };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  const preload = options.injectFaults ? ["--import", faultInjector] : [];
  const child = spawn(process.execPath, ["--import", "tsx", ...preload, "src/index.ts"], {
    cwd: serviceDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const baseUrl = new Promise<string>((resolve, reject) => {
    // Generous: tsx plus PGlite's first migration take 20 s and more on a loaded 2-core machine.
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${output}`)), 60_000);
    child.stdout.on("data", () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited (${code}) before listening:\n${output}`));
    });
  });
  // A test that expects the service not to start never awaits it.
  baseUrl.catch(() => undefined);
  return { child, baseUrl, exited, output: () => output };
}

export type SpawnedService = ReturnType<typeof startService>;
