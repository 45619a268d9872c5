// Starts Debian's nginx unprivileged in the foreground with the deploy/ configuration
// (see nginx-site.ts): its own prefix, pid, logs and temp paths in a fresh temp folder.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { renderSiteConfig, type SiteInput } from "./nginx-site";

export const NGINX_BINARY = "/usr/sbin/nginx";

export interface SiteNginxOptions extends Pick<SiteInput, "realtime" | "web" | "transformSite"> {
  /** Default: a free port. */
  listenPort?: number;
  binary?: string;
}

export interface RunningSiteNginx {
  url: string;
  port: number;
  pid: number;
  /** Resolves when nginx exits, with its last error-log lines. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

export function nginxInstalled(binary = NGINX_BINARY): boolean {
  try {
    accessSync(binary, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function freePort(): Promise<number> {
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

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startSiteNginx(options: SiteNginxOptions): Promise<RunningSiteNginx> {
  const binary = options.binary ?? NGINX_BINARY;
  const dir = await mkdtemp(path.join(tmpdir(), "switchboard-deploy-nginx-"));
  const confPath = path.join(dir, "nginx.conf");
  const errorLog = path.join(dir, "error.log");
  const port = options.listenPort ?? (await freePort());
  const asRoot = process.getuid?.() === 0;
  await writeFile(confPath, renderSiteConfig({ ...options, dir, listenPort: port, asRoot }));

  const child = spawn(binary, ["-p", dir, "-e", errorLog, "-c", confPath, "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-4000)));
  const lastLines = async () => {
    const log = await readFile(errorLog, "utf8").catch(() => "");
    return `${stderr}\n${log}`.trim().split("\n").slice(-8).join("\n");
  };
  const exited = new Promise<string>((resolve) => child.once("exit", () => void lastLines().then(resolve)));

  const deadline = Date.now() + 10_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      const reason = await lastLines();
      await rm(dir, { recursive: true, force: true });
      throw new Error(`nginx did not start on port ${port}: ${reason || "no output"}`);
    }
    await sleep(25);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGQUIT: graceful (open connections finish); SIGKILL if that hangs.
        child.kill("SIGQUIT");
        const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
        if (!done) child.kill("SIGKILL");
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
