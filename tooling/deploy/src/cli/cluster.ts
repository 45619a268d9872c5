// `pnpm cluster`: N compiled realtime instances (node dist/index.js) on the local PostgreSQL
// and Redis, the built web app (next start), and Debian's nginx with the deploy/ configuration
// in front of them all on one origin. Ctrl-C stops everything.
import { parseArgs } from "node:util";
import { buildRealtime, buildWeb, CLUSTER_DIST_DIR, hasWebBuild, nextBin } from "../cluster/build";
import { startChild, waitForUrl, type ManagedChild } from "../cluster/children";
import { ClusterError } from "../cluster/cluster-error";
import { readClusterEnv } from "../cluster/env";
import { checkPortsFree, checkPostgres, checkRedis, ensureNginx, redact } from "../cluster/preflight";
import { REALTIME_DIR, WEB_DIR } from "../paths";
import { startSiteNginx, type RunningSiteNginx } from "../site-nginx";

const HELP = `pnpm cluster [options]: 2 realtime instances + web behind nginx on one origin

  --instances <n>        realtime instances (default 2)
  --port <port>          nginx, the one origin (default 8080)
  --instance-port <port> first instance's port; the others follow (default 4001)
  --web-port <port>      the web app's own port (default 3001)
  --origin <url>         the public origin, if not http://localhost:<port>
  --skip-build           reuse apps/realtime/dist and the web build
  --web-dist <dir>       the web build's folder in apps/web (default ${CLUSTER_DIST_DIR})
  --reuse-web-build      skip next build when that folder holds a build (made for this origin!)
  --log-level <level>    the instances' LOG_LEVEL (default warn)

Environment: DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/switchboard, created
if missing), REDIS_URL (default redis://127.0.0.1:6379), SESSION_SECRET (default: random per
run), and anything else the service reads (OPERATOR_TOKEN, METRICS_TOKEN, …).`;

const started = Date.now();
const print = (line: string) => process.stdout.write(`${line}\n`);
const step = (line: string) => print(`[cluster ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);

function options() {
  const { values } = parseArgs({
    options: {
      instances: { type: "string", default: "2" },
      port: { type: "string", default: "8080" },
      "instance-port": { type: "string", default: "4001" },
      "web-port": { type: "string", default: "3001" },
      origin: { type: "string" },
      "skip-build": { type: "boolean", default: false },
      "web-dist": { type: "string", default: CLUSTER_DIST_DIR },
      "reuse-web-build": { type: "boolean", default: false },
      "log-level": { type: "string", default: "warn" },
      help: { type: "boolean", default: false },
    },
  });
  const int = (name: string, value: string, min: number, max: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new ClusterError("bad_option", `--${name} must be a whole number from ${min} to ${max}, not "${value}"`);
    return n;
  };
  const port = int("port", values.port, 1, 65535);
  const origin = values.origin ?? `http://localhost:${port}`;
  if (!/^https?:\/\/[^/]+$/.test(origin)) throw new ClusterError("bad_option", `--origin must be an origin such as http://localhost:${port}, not "${origin}"`);
  return {
    help: values.help,
    instances: int("instances", values.instances, 1, 16),
    port,
    instancePort: int("instance-port", values["instance-port"], 1, 65535),
    webPort: int("web-port", values["web-port"], 1, 65535),
    origin,
    skipBuild: values["skip-build"],
    webDist: values["web-dist"],
    reuseWebBuild: values["reuse-web-build"],
    logLevel: values["log-level"],
  };
}

const children: ManagedChild[] = [];
let nginx: RunningSiteNginx | undefined;
let stopping: Promise<void> | undefined;

function stopAll(): Promise<void> {
  return (stopping ??= (async () => {
    if (nginx) {
      step("stopping nginx");
      await nginx.stop();
    }
    // The service drains (SHUTDOWN_GRACE_MS); all children stop together.
    const running = children.filter((child) => child.process.exitCode === null && child.process.signalCode === null);
    if (running.length > 0) step(`stopping ${running.map((child) => child.name).join(", ")}`);
    await Promise.all(running.map((child) => child.stop()));
    step("stopped");
  })());
}

async function main(): Promise<void> {
  const opts = options();
  if (opts.help) {
    print(HELP);
    return;
  }
  const env = readClusterEnv();
  const instancePorts = Array.from({ length: opts.instances }, (_, i) => opts.instancePort + i);

  step(`PostgreSQL at ${redact(env.databaseUrl)}`);
  if ((await checkPostgres(env.databaseUrl)) === "created") step("  created its database");
  step(`Redis at ${redact(env.redisUrl)}`);
  await checkRedis(env.redisUrl);
  step("nginx");
  ensureNginx();
  await checkPortsFree({ nginx: opts.port, web: opts.webPort, ...Object.fromEntries(instancePorts.map((p, i) => [`realtime-${i + 1}`, p])) });

  if (opts.skipBuild) {
    step(`--skip-build: reusing apps/realtime/dist and apps/web/${opts.webDist}`);
  } else {
    step("building the realtime service (prisma generate, esbuild bundle)");
    await buildRealtime(env.inherited);
    if (opts.reuseWebBuild && hasWebBuild(opts.webDist)) {
      step(`--reuse-web-build: reusing apps/web/${opts.webDist}`);
    } else {
      step(`building the web app for ${opts.origin} into apps/web/${opts.webDist} (next build)`);
      await buildWeb(opts.origin, opts.webDist, env.inherited);
    }
  }
  if (env.secretGenerated) step("SESSION_SECRET is not set: using a random one for this run (sessions end with it)");

  const serviceEnv: NodeJS.ProcessEnv = {
    ...env.inherited,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    SESSION_SECRET: env.sessionSecret,
    ALLOWED_ORIGINS: opts.origin,
    // nginx overwrites X-Forwarded-For with the client's address: trust exactly that one hop.
    TRUST_PROXY: "1",
    COOKIE_SECURE: opts.origin.startsWith("https:") ? "true" : "false",
    LOG_LEVEL: opts.logLevel,
  };
  for (const [index, port] of instancePorts.entries()) {
    const name = `realtime-${index + 1}`;
    step(`starting ${name} on 127.0.0.1:${port} (node dist/index.js)`);
    const child = startChild(name, process.execPath, ["--enable-source-maps", "dist/index.js"], {
      cwd: REALTIME_DIR,
      env: { ...serviceEnv, PORT: String(port) },
      print,
    });
    children.push(child);
    watch(child);
    await waitForUrl(`http://127.0.0.1:${port}/readyz`, child, 60_000).catch((error: Error) => {
      throw new ClusterError("start_failed", `${name} did not get ready: ${error.message}`);
    });
  }

  step(`starting the web app on 127.0.0.1:${opts.webPort} (next start)`);
  const web = startChild("web", process.execPath, [nextBin(), "start", "--port", String(opts.webPort), "--hostname", "127.0.0.1"], {
    cwd: WEB_DIR,
    env: { ...env.inherited, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", NEXT_DIST_DIR: opts.webDist },
    print,
  });
  children.push(web);
  watch(web);
  await waitForUrl(`http://127.0.0.1:${opts.webPort}/sign-in`, web, 60_000).catch((error: Error) => {
    throw new ClusterError("start_failed", `the web app did not get ready: ${error.message}`);
  });

  step(`starting nginx on port ${opts.port} (deploy/nginx/switchboard.conf)`);
  nginx = await startSiteNginx({
    listenPort: opts.port,
    realtime: instancePorts.map((port) => `127.0.0.1:${port}`),
    web: `127.0.0.1:${opts.webPort}`,
  }).catch((error: Error) => {
    throw new ClusterError("start_failed", error.message);
  });
  void nginx.exited.then((lines) => {
    if (!stopping) void fail(new ClusterError("child_exited", `nginx exited unexpectedly:\n${lines}`));
  });
  await waitForUrl(`http://127.0.0.1:${opts.port}/readyz`, undefined, 10_000);
  await waitForUrl(`http://127.0.0.1:${opts.port}/sign-in`, undefined, 10_000);

  step(`up: open ${opts.origin} (${opts.instances} realtime instances on ${instancePorts.join(", ")}, web on ${opts.webPort}). Ctrl-C stops everything.`);
}

/** A child that dies while the cluster runs takes the cluster down, saying why. */
function watch(child: ManagedChild): void {
  void child.exited.then((code) => {
    if (!stopping) void fail(new ClusterError("child_exited", `${child.name} exited (code ${code}):\n${child.lastLines()}`));
  });
}

async function fail(error: unknown): Promise<void> {
  const message = error instanceof ClusterError ? `${error.code}: ${error.message}` : error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error(`\npnpm cluster failed — ${message}\n`);
  await stopAll();
  process.exit(1);
}

let interrupts = 0;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (++interrupts > 1) {
      // A second Ctrl-C: do not wait for the drain.
      for (const child of children) child.process.kill("SIGKILL");
      process.exit(130);
    }
    step(`${signal}: shutting down`);
    void stopAll().then(() => process.exit(0));
  });
}

main().catch(fail);
