// `pnpm cluster` for the browser tests: two compiled instances, the web app and nginx with
// deploy/nginx, started once per file. nginx takes the origin http://localhost:4000, which
// every production build of the web app targets by default (NEXT_PUBLIC_REALTIME_URL), so the
// main e2e run's `.next` is reused and the page and the service share one origin.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const CLUSTER_ORIGIN = "http://localhost:4000";
/** The instances' own ports (nginx balances over them). */
export const INSTANCE_PORTS = [4002, 4003];
export const INSTANCES = INSTANCE_PORTS.map((port) => `127.0.0.1:${port}`);

const DEPLOY_DIR = fileURLToPath(new URL("../../../../tooling/deploy", import.meta.url));

export interface Cluster {
  /** Set when the cluster could not start for want of PostgreSQL, Redis or nginx (outside CI: skip). */
  missing?: string;
  stop(): Promise<void>;
}

/** The typed errors of `pnpm cluster` that mean "this machine lacks a service", not "the cluster is broken". */
const MISSING = /(postgres_unreachable|redis_unreachable|nginx_missing): (.*)/;

export async function startCluster(): Promise<Cluster> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      path.join(DEPLOY_DIR, "src/cli/cluster.ts"),
      "--port",
      "4000",
      "--instance-port",
      String(INSTANCE_PORTS[0]),
      "--web-port",
      "3000",
      "--web-dist",
      ".next",
      "--reuse-web-build",
    ],
    {
      cwd: DEPLOY_DIR,
      env: {
        ...process.env,
        DATABASE_URL: process.env.CLUSTER_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/switchboard_e2e",
        SESSION_SECRET: "e2e-cluster-session-secret-0123456789abcdef",
        // Its own Redis keys: this machine's Redis outlives the run, and the per-address sign-in
        // limit (every browser here is 127.0.0.1) must not carry over from an earlier run.
        REDIS_KEY_PREFIX: `sb-e2e-${randomUUID().slice(0, 8)}:`,
        NEXT_PUBLIC_REALTIME_URL: CLUSTER_ORIGIN,
        LOG_LEVEL: "warn",
        SHUTDOWN_GRACE_MS: "2000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const up = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/\] up: open /.test(output)) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then((code) => reject(new Error(`pnpm cluster exited (${code}) before it was up:\n${output}`)));
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
  };
  try {
    // A cold `next build` on a loaded 2-core machine takes a minute or two.
    await Promise.race([up, new Promise((_, reject) => setTimeout(() => reject(new Error(`pnpm cluster not up in 240 s:\n${output}`)), 240_000))]);
  } catch (error) {
    await stop();
    const missing = MISSING.exec(output);
    if (missing && !process.env.CI) return { missing: `${missing[1]}: ${missing[2]}`, stop };
    throw error;
  }
  return { stop };
}
