import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium, type Browser, type Page } from "@playwright/test";
import { nginxAvailable, startNginx, type RunningNginx } from "@repo/nginx";
import { ChildHandle } from "../ipc";
import { BENCH_TOPIC } from "../message";
import { PACKAGE_DIR, liveChildren } from "../run-row";
import type { ServerApi } from "../server-process";
import type { Log } from "./measure-row";

const SERVER_SCRIPT = fileURLToPath(new URL("../server-process.ts", import.meta.url));
/** Seven: one more than Chromium's six connections per host over HTTP/1.1. */
export const H2_STREAMS = 7;
/** How long the streams get to open before the event is published. */
const OPEN_WAIT_MS = 1_500;
/** How long after the publish a stream may take to receive it before it counts as "none". */
const RECEIVE_WAIT_MS = 2_000;
/** Debian's Chromium (as apps/web/playwright.config.ts); never a Playwright download. */
const CHROMIUM = "/usr/bin/chromium";

export type H2Mode = "http1" | "h2";

/** Seven native EventSource streams from seven pages of one Chromium context, on one path to the service. */
export interface H2Row {
  mode: H2Mode;
  /** Where the pages and their streams went: the service itself, or the HTTP/2 TLS nginx in front of it. */
  via: string;
  ok: boolean;
  error?: string;
  streams: number;
  /** Events each stream received (one was published), in page order. */
  received: number[];
  /** Streams whose `open` fired. */
  opened: number;
  /** The seventh stream: ms from the publish to its first event; null when none came within `waitMs`. */
  seventhFirstEventMs: number | null;
  waitMs: number;
  /** The pages' HTTP protocol (the navigation entry's nextHopProtocol, on the same origin and connection pool as their streams). */
  protocol: string | null;
}

interface BrowserStream {
  opened: boolean;
  received: number;
  firstAt: number | null;
}

async function session(url: string): Promise<string> {
  const answer = await fetch(`${url}/v1/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Seven streams" }) });
  if (!answer.ok) throw new Error(`sign-in: HTTP ${answer.status}`);
  return ((await answer.json()) as { token: string }).token;
}

async function ticket(url: string, token: string): Promise<string> {
  const answer = await fetch(`${url}/v1/sse/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  if (!answer.ok) throw new Error(`ticket: HTTP ${answer.status}`);
  return ((await answer.json()) as { ticket: string }).ticket;
}

async function sevenStreams(browser: Browser, service: ChildHandle<ServerApi>, serviceUrl: string, base: string): Promise<Omit<H2Row, "mode" | "via" | "ok">> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const token = await session(serviceUrl);
    const pages: Page[] = [];
    // Every page first loads the origin its stream goes to (/healthz), so the stream is same-origin and
    // needs no CORS; all seven load before any stream opens, or the seventh page's own load would
    // queue behind six open streams over HTTP/1.1.
    for (let n = 0; n < H2_STREAMS; n++) {
      const page = await context.newPage();
      await page.goto(`${base}/healthz`);
      pages.push(page);
    }
    for (const page of pages) {
      const src = `${base}/v1/sse?cursor=${encodeURIComponent(`${BENCH_TOPIC}@`)}&ticket=${encodeURIComponent(await ticket(serviceUrl, token))}`;
      await page.evaluate((url) => {
        const box = globalThis as unknown as { stream: BrowserStream };
        box.stream = { opened: false, received: 0, firstAt: null };
        const source = new EventSource(url);
        source.addEventListener("open", () => (box.stream.opened = true));
        source.addEventListener("message", () => {
          box.stream.received++;
          box.stream.firstAt ??= Date.now();
        });
      }, src);
    }
    await sleep(OPEN_WAIT_MS);
    const publishedAt = Date.now();
    // One event: the publisher sends its first message at once and is stopped straight after.
    await service.call("publish", { rate: 1, payloadBytes: 50 });
    await service.call("stopPublishing", undefined);
    await sleep(RECEIVE_WAIT_MS);
    const streams = await Promise.all(pages.map((page) => page.evaluate(() => (globalThis as unknown as { stream: BrowserStream }).stream)));
    // A string: this package type-checks without the DOM library.
    const protocol = await pages[0]!.evaluate<string | null>(`performance.getEntriesByType("navigation")[0]?.nextHopProtocol ?? null`);
    const seventh = streams[H2_STREAMS - 1]!;
    return {
      streams: H2_STREAMS,
      received: streams.map((stream) => stream.received),
      opened: streams.filter((stream) => stream.opened).length,
      seventhFirstEventMs: seventh.firstAt === null ? null : Math.max(0, seventh.firstAt - publishedAt),
      waitMs: RECEIVE_WAIT_MS,
      protocol,
    };
  } finally {
    await context.close();
  }
}

/**
 * The seven-streams measurement of apps/web/e2e/http2-streams.spec.ts as a lab scenario: a fresh
 * Switchboard service on a free port, seven streams straight to it (HTTP/1.1), then seven through a
 * fresh HTTP/2 TLS nginx (@repo/nginx's h2-tls, its self-signed certificate) on another free port.
 */
export async function runH2(log: Log): Promise<H2Row[]> {
  const service = new ChildHandle<ServerApi>("h2 service", SERVER_SCRIPT, { cwd: PACKAGE_DIR, execArgv: ["--expose-gc"] });
  liveChildren.add(service);
  let nginx: RunningNginx | undefined;
  let browser: Browser | undefined;
  const rows: H2Row[] = [];
  const failed = (mode: H2Mode, via: string, error: unknown): H2Row => {
    const message = (error as Error).message.split("\n")[0]!;
    log(`h2 ${mode}`, `FAILED: ${message}`);
    return { mode, via, ok: false, error: message, streams: H2_STREAMS, received: [], opened: 0, seventhFirstEventMs: null, waitMs: RECEIVE_WAIT_MS, protocol: null };
  };
  try {
    await service.ready;
    const { url } = await service.call("start", { kind: "switchboard", logLevel: "warn", profile: "bench" }, 120_000);
    if (!nginxAvailable()) throw new Error("no nginx at /usr/sbin/nginx (bash scripts/ensure-nginx.sh)");
    nginx = await startNginx({ upstream: url, config: "h2-tls" });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"] });
    log("h2", `service at ${url}, HTTP/2 TLS nginx at ${nginx.url}, Chromium ${browser.version()}`);
    for (const [mode, base] of [["http1", url], ["h2", nginx.url]] as const) {
      const via = mode === "h2" ? "HTTP/2 TLS nginx" : "service (HTTP/1.1)";
      try {
        const row: H2Row = { mode, via, ok: true, ...(await sevenStreams(browser, service, url, base)) };
        log(`h2 ${mode}`, `${row.protocol ?? "?"}: receiving [${row.received.join(",")}], ${row.opened}/${H2_STREAMS} open; seventh stream ${row.seventhFirstEventMs === null ? `none within ${row.waitMs / 1000} s` : `first event in ${row.seventhFirstEventMs} ms`}`);
        rows.push(row);
      } catch (error) {
        rows.push(failed(mode, via, error));
      }
    }
  } catch (error) {
    for (const mode of ["http1", "h2"] as const) if (!rows.some((row) => row.mode === mode)) rows.push(failed(mode, mode, error));
  } finally {
    await browser?.close().catch(() => null);
    await nginx?.stop();
    await service.stop();
    liveChildren.delete(service);
  }
  return rows;
}

/** Why the h2 rows fail the run: a row that did not run, or HTTP/2 not delivering to every stream. */
export function h2Problems(rows: H2Row[]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    if (!row.ok) out.push(`h2 ${row.mode} failed: ${row.error}`);
    else if (row.mode === "h2" && row.received.some((count) => count === 0)) out.push(`h2: only ${row.received.filter((count) => count > 0).length}/${row.streams} streams received through HTTP/2`);
  }
  return out;
}
