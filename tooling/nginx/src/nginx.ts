import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { request as httpsRequest } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { CONFIG_MARKER_PATH, renderNginxConfig, type NginxConfigName } from "./nginx-config";
import { selfSignedCertificate } from "./self-signed";

export interface NginxOptions {
  /**
   * The service behind it: a URL (`http://127.0.0.1:4001`) or host:port; several
   * instances as a list (requests spread round-robin over them, no stickiness).
   */
  upstream: string | readonly string[];
  config: NginxConfigName;
  /** nginx binary. Default /usr/sbin/nginx (Debian's). */
  binary?: string;
  /** A fixed port (the dev lab's proxies); default a free one. */
  port?: number;
  /** Also listen on [::1] (for browsers that reach `localhost` there). */
  ipv6Loopback?: boolean;
}

export interface RunningNginx {
  /** Base URL clients use, e.g. `http://127.0.0.1:41234` (`https://` for h2-tls). */
  url: string;
  config: NginxConfigName;
  /** The master process's pid (its workers are its children): for CPU accounting. */
  pid: number | undefined;
  /** Puts another configuration in force (nginx reload: open connections stay on the old workers). */
  reload(config: NginxConfigName): Promise<void>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

function binaryPath(binary?: string): string {
  return binary ?? "/usr/sbin/nginx";
}

/** Whether nginx can be started here (tests skip with a message where it cannot). */
export function nginxAvailable(binary?: string): boolean {
  try {
    accessSync(binaryPath(binary), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A port free right now (nginx cannot listen on port 0 and tell us which it got). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function hostPort(upstream: string): string {
  if (!upstream.includes("://")) return upstream;
  const url = new URL(upstream);
  return `${url.hostname === "localhost" ? "127.0.0.1" : url.hostname}:${url.port || "80"}`;
}

/** The marker's answer; over TLS the self-signed certificate is accepted (Node's fetch would refuse it). */
async function markerText(url: string): Promise<string> {
  if (!url.startsWith("https:")) return (await fetch(`${url}${CONFIG_MARKER_PATH}`)).text();
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${url}${CONFIG_MARKER_PATH}`, { rejectUnauthorized: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve(body));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Polls the marker until nginx answers with `config` (started, or reloaded), or the process died. */
async function waitForConfig(url: string, config: NginxConfigName, child: ChildProcess, dir: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      if ((await markerText(url)) === config) return;
    } catch {
      // Not listening yet.
    }
    await sleep(25);
  }
  const log = await readFile(path.join(dir, "error.log"), "utf8").catch(() => "");
  throw new Error(`nginx (${config}) did not come up: ${log.trim().split("\n").slice(-5).join(" | ") || "no error log"}`);
}

async function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return Promise.race([new Promise<boolean>((resolve) => child.once("exit", () => resolve(true))), sleep(ms).then(() => false)]);
}

/**
 * Starts a real nginx (Debian's) in the foreground as a child process, with
 * its own prefix, config, pid, logs and temp paths in a fresh temp folder,
 * listening on 127.0.0.1 on a port chosen first (retried if someone took it).
 */
export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  const binary = binaryPath(options.binary);
  const dir = await mkdtemp(path.join(tmpdir(), "switchboard-nginx-"));
  const confPath = path.join(dir, "nginx.conf");
  const upstreams = (typeof options.upstream === "string" ? [options.upstream] : [...options.upstream]).map(hostPort);
  if (upstreams.length === 0) throw new Error("startNginx: at least one upstream is needed");
  const asRoot = process.getuid?.() === 0;
  // Made once: a reload to another config keeps the same files.
  const tls = options.config === "h2-tls" ? await selfSignedCertificate(dir) : undefined;

  for (let tries = 0; ; tries++) {
    const listenPort = options.port ?? (await freePort());
    const write = (config: NginxConfigName) => writeFile(confPath, renderNginxConfig({ config, dir, listenPort, upstreams, asRoot, tls, ipv6Loopback: options.ipv6Loopback }));
    await write(options.config);
    const child = spawn(binary, ["-p", dir, "-e", path.join(dir, "error.log"), "-c", confPath, "-g", "daemon off;"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-2000);
    });
    const url = `${tls ? "https" : "http"}://127.0.0.1:${listenPort}`;
    try {
      await waitForConfig(url, options.config, child, dir);
    } catch (error) {
      child.kill("SIGKILL");
      // Someone took the port between the check and nginx's bind: pick another.
      if (tries < 3 && options.port === undefined && /Address already in use/.test(stderr + String(error))) continue;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`${error instanceof Error ? error.message : String(error)} ${stderr.trim()}`);
    }
    let current = options.config;
    return {
      url,
      pid: child.pid,
      get config() {
        return current;
      },
      async reload(config) {
        await write(config);
        child.kill("SIGHUP");
        await waitForConfig(url, config, child, dir);
        current = config;
      },
      async stop() {
        // SIGTERM is nginx's fast shutdown: open connections are closed at once.
        child.kill("SIGTERM");
        if (!(await exited(child, 5_000))) child.kill("SIGKILL");
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
