// What must be there before anything starts: PostgreSQL, Redis, nginx, free ports.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { REPO_ROOT } from "../paths";
import { nginxInstalled, portOpen } from "../site-nginx";
import { ClusterError } from "./cluster-error";

/** The URL without its password, for output. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparseable URL>";
  }
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message || (error as NodeJS.ErrnoException).code || error.name : String(error));

/** Connects to DATABASE_URL; creates its database when the server is there but the database is not. Returns what it did. */
export async function checkPostgres(url: string): Promise<"ok" | "created"> {
  const tryConnect = async (connectionString: string) => {
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  };
  try {
    await (await tryConnect(url)).end();
    return "ok";
  } catch (error) {
    if ((error as { code?: string }).code !== "3D000") {
      throw new ClusterError(
        "postgres_unreachable",
        `PostgreSQL is not reachable at ${redact(url)} (${reasonOf(error)}). Start it (Debian: pg_ctlcluster <version> main start) or point DATABASE_URL at one.`,
      );
    }
  }
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.slice(1));
  parsed.pathname = "/postgres";
  try {
    const admin = await tryConnect(parsed.toString());
    try {
      await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    } finally {
      await admin.end();
    }
    return "created";
  } catch (error) {
    throw new ClusterError("postgres_unreachable", `PostgreSQL at ${redact(url)} has no database "${name}", and creating it failed: ${reasonOf(error)}`);
  }
}

export async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
  // The socket's own error (ECONNREFUSED, …) says more than the rejection ("Connection is closed").
  let socketError: unknown;
  redis.on("error", (error) => (socketError ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new ClusterError("redis_unreachable", `Redis is not reachable at ${redact(url)} (${reasonOf(socketError ?? error)}). Start it (Debian: redis-server --daemonize yes) or point REDIS_URL at one.`);
  } finally {
    redis.disconnect();
  }
}

/** Debian's nginx, installed by scripts/ensure-nginx.sh when missing and we are root. */
export function ensureNginx(): void {
  if (nginxInstalled()) return;
  if (process.getuid?.() === 0) {
    spawnSync("bash", [path.join(REPO_ROOT, "scripts/ensure-nginx.sh")], { stdio: "inherit" });
    if (nginxInstalled()) return;
  }
  throw new ClusterError("nginx_missing", "nginx is not installed at /usr/sbin/nginx. Install Debian's: sudo apt-get install -y nginx-light (run as root, pnpm cluster does it itself).");
}

export async function checkPortsFree(ports: Record<string, number>): Promise<void> {
  for (const [what, port] of Object.entries(ports)) {
    if (await portOpen(port)) {
      throw new ClusterError("port_in_use", `port ${port} (${what}) is already in use: stop what listens there, or choose another (pnpm cluster --help).`);
    }
  }
}
