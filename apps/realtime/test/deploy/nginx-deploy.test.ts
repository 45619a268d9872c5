// deploy/nginx/switchboard.conf, checked two ways:
// 1. its numbers against the service's own settings (heartbeat, long-poll hold, socket.io ping);
// 2. as committed, in a real Debian nginx in front of two instances on one Redis, with every
//    timeout of the file and of the service divided by the same factor, so the ratios that keep
//    streams alive are exercised in seconds: SSE outlives the proxy's read timeout on heartbeats
//    alone, a long poll held its whole hold is answered (not a 504), any instance serves any
//    request, and all four transports round-trip a command and its event through the proxy.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  DEPLOY_NGINX_DIR,
  NGINX_BINARY,
  nginxInstalled,
  readSite,
  renderUpstreams,
  SITE_FILE,
  startSiteNginx,
  UPSTREAMS_FILE,
  type RunningSiteNginx,
} from "@repo/deploy";
import { PollResponse } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readEnv } from "../../src/env";
import { FLAGS_FEATURE_DEFAULTS } from "../../src/features/flags/flags-feature";
import { openRawSse } from "../support/raw-sse";
import { redisInstances, type RedisInstances } from "../scale/support/redis-instances";
import { record, signIn, testClient, transports, waitFor, type TestServer } from "../sdk/support/server";

/** socket.io's defaults (the service sets neither): a ping every 25 s, 20 s to answer it. */
const SOCKET_IO_PING_MS = 25_000 + 20_000;

/** Each location's directives, from the committed file. */
function locations(site: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of site.matchAll(/location\s+(=\s+)?(\S+)\s*\{([^}]*)\}/g)) found.set(match[2]!, match[3]!);
  return found;
}

function readTimeoutMs(block: string | undefined): number {
  const match = /proxy_read_timeout\s+(\d+)(ms|s)?;/.exec(block ?? "");
  if (!match) return 60_000; // nginx's default
  return Number(match[1]) * (match[2] === "ms" ? 1 : 1000);
}

const site = readSite();
const byPath = locations(site);
const defaults = readEnv({ NODE_ENV: "test" });

describe("deploy/nginx/switchboard.conf against the service's settings", () => {
  test("SSE (events and flag changes): unbuffered, uncompressed, read timeout above two heartbeats", () => {
    const heartbeats = { "/v1/sse": defaults.SSE_HEARTBEAT_MS, "/ofrep/v1/events": FLAGS_FEATURE_DEFAULTS.changeStreams.heartbeatMs };
    for (const [path, heartbeatMs] of Object.entries(heartbeats)) {
      const block = byPath.get(path);
      expect(block, path).toMatch(/proxy_buffering off;/);
      expect(block, path).toMatch(/gzip off;/);
      expect(readTimeoutMs(block), path).toBeGreaterThanOrEqual(2 * heartbeatMs);
    }
  });

  test("long polling: the read timeout outlasts the longest hold plus its linger, with 5 s to spare", () => {
    expect(readTimeoutMs(byPath.get("/v1/long-poll"))).toBeGreaterThanOrEqual(defaults.LONG_POLL_TIMEOUT_MS + defaults.LONG_POLL_LINGER_MS + 5000);
  });

  test("WebSocket: the upgrade is passed on, and the read timeout outlasts socket.io's ping cycle", () => {
    const block = byPath.get("/v1/ws");
    expect(block).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(block).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(readTimeoutMs(block)).toBeGreaterThan(SOCKET_IO_PING_MS);
  });

  test("no stickiness: the instances are balanced without hashing a client to one", () => {
    const upstreams = readFileSync(UPSTREAMS_FILE, "utf8");
    expect(upstreams).toMatch(/upstream switchboard_realtime \{/);
    expect(upstreams).not.toMatch(/\b(ip_hash|hash|sticky)\b/);
  });

  test("docker compose's upstreams differ from the host's in the server addresses only", () => {
    const same = { switchboard_realtime: ["a:1", "b:2"], switchboard_web: ["c:3"] };
    const body = (file: string) => renderUpstreams(readFileSync(file, "utf8"), same).replace(/^#.*\n/gm, "");
    expect(body(path.join(DEPLOY_NGINX_DIR, "upstreams.compose.conf"))).toBe(body(UPSTREAMS_FILE));
  });
});

const DEBIAN_NGINX_CONF = "/etc/nginx/nginx.conf";

// Debian's main file writes /run and /var/log: root only (CI and these machines are root).
test.skipIf(!nginxInstalled() || !existsSync(DEBIAN_NGINX_CONF) || process.getuid?.() !== 0)("the files as a Debian host installs them (conf.d, inside Debian's nginx.conf) pass nginx -t", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "switchboard-deploy-t-"));
  try {
    const confD = path.join(dir, "conf.d");
    mkdirSync(confD);
    copyFileSync(SITE_FILE, path.join(confD, "switchboard.conf"));
    copyFileSync(UPSTREAMS_FILE, path.join(confD, "upstreams.conf"));
    const debian = readFileSync(DEBIAN_NGINX_CONF, "utf8");
    expect(debian).toContain("include /etc/nginx/conf.d/*.conf;");
    // The same main file, reading conf.d from here; the default site is what the install removes.
    const main = debian.replace("include /etc/nginx/conf.d/*.conf;", `include ${confD}/*.conf;`).replace(/^.*sites-enabled.*$/m, "");
    writeFileSync(path.join(dir, "nginx.conf"), main);
    const check = spawnSync(NGINX_BINARY, ["-t", "-c", path.join(dir, "nginx.conf")], { encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Every committed timeout and the service's matching settings are divided by this. */
const SCALE = 15;
const scaled = (ms: number) => Math.round(ms / SCALE);
const scaleSite = (text: string) =>
  text.replace(/proxy_read_timeout\s+(\d+)s;/g, (_all, seconds: string) => `proxy_read_timeout ${scaled(Number(seconds) * 1000)}ms;`);

const SSE_READ_TIMEOUT_MS = scaled(readTimeoutMs(byPath.get("/v1/sse")));
const LONG_POLL_HOLD_MS = scaled(defaults.LONG_POLL_TIMEOUT_MS);

describe.skipIf(!nginxInstalled())("two instances behind the deploy configuration in a real nginx (timeouts ÷15)", () => {
  let instances: RedisInstances;
  let servers: TestServer[];
  let web: Server;
  let nginx: RunningSiteNginx;
  let token: string;
  let userId: string;
  const auth = () => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    instances = await redisInstances();
    const config = {
      sseHeartbeatMs: scaled(defaults.SSE_HEARTBEAT_MS),
      longPollTimeoutMs: LONG_POLL_HOLD_MS,
      longPollLingerMs: defaults.LONG_POLL_LINGER_MS,
      trustProxy: 1,
    };
    servers = [await instances.start("deploy-a", config), await instances.start("deploy-b", config)];
    // Stands in for `next start`: everything the realtime locations do not claim goes here.
    web = createHttpServer((_request, response) => response.end("the web app"));
    await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
    const webPort = (web.address() as { port: number }).port;
    nginx = await startSiteNginx({
      realtime: servers.map((server) => new URL(server.baseUrl).host),
      web: `127.0.0.1:${webPort}`,
      transformSite: scaleSite,
    });
    const session = await signIn(nginx.url, "Behind nginx");
    token = session.token;
    userId = session.user.id;
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await new Promise((resolve) => web?.close(resolve));
    await instances?.stop();
  });

  test("any instance serves any request: the same session is answered by both, no stickiness", async () => {
    const servedBy = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${nginx.url}/v1/session`, { headers: auth() });
      expect(response.status).toBe(200);
      servedBy.add(response.headers.get("x-served-by") ?? "");
    }
    expect([...servedBy].sort()).toEqual(servers.map((server) => new URL(server.baseUrl).host).sort());
    expect(await (await fetch(`${nginx.url}/sign-in`)).text()).toBe("the web app");
    expect((await fetch(`${nginx.url}/metrics`)).status).toBe(404);
  });

  test("an idle SSE stream outlives the proxy's read timeout on heartbeats, and an event from the other instance arrives at once", async () => {
    const { ticket } = (await (await fetch(`${nginx.url}/v1/sse/ticket`, { method: "POST", headers: auth() })).json()) as { ticket: string };
    const stream = openRawSse(`${nginx.url}/v1/sse?cursor=echo:${userId}@&ticket=${ticket}`);
    const response = await stream.opened;
    await stream.waitFor(() => stream.frames.some((frame) => frame.event === "ready"));
    // Nothing but heartbeats for well past the read timeout.
    await sleep(SSE_READ_TIMEOUT_MS * 1.5);
    expect(stream.comments()).toBeGreaterThanOrEqual(3);
    expect(stream.ended()).toBe(false);

    const streamHost = response.headers["x-served-by"];
    const other = servers.find((server) => new URL(server.baseUrl).host !== streamHost)!;
    const sentAt = Date.now();
    await fetch(`${other.baseUrl}/v1/commands`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: JSON.stringify({ id: "deploy-sse-echo-0001", type: "echo", payload: { text: "across instances" } }),
    });
    await stream.waitFor(() => stream.frames.some((frame) => frame.data.includes("across instances")));
    // Unbuffered: well under a heartbeat, not held until a buffer fills.
    expect(Date.now() - sentAt).toBeLessThan(scaled(defaults.SSE_HEARTBEAT_MS));
    stream.destroy();
  });

  test("a long poll held for its whole hold is answered by the service, not cut by the proxy", async () => {
    const startedAt = Date.now();
    const response = await fetch(`${nginx.url}/v1/long-poll?cursor=echo:${userId}@&timeout=${defaults.LONG_POLL_TIMEOUT_MS}`, { headers: auth() });
    expect(response.status).toBe(200);
    expect(PollResponse.parse(await response.json()).events).toEqual([]);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(LONG_POLL_HOLD_MS - 50);
  });

  test.each(transports)("$name: a command and its event round-trip through the proxy", async ({ name, options }) => {
    const client = testClient(nginx.url, token, name, options);
    try {
      const echo = record(client, `echo:${userId}`, null);
      await waitFor(() => client.status === "open", `${name} open`);
      const text = `through nginx over ${name}`;
      await client.send({ type: "echo", payload: { text } });
      await waitFor(() => echo.payloads.some((payload) => (payload as { text?: string }).text === text), `${name} echo`);
      expect(echo.errors).toEqual([]);
    } finally {
      client.close();
    }
  });
});
