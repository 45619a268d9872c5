import { startNginx, type RunningNginx } from "@repo/nginx";
import { HTTP_PATHS, PROTOCOL_VERSION, PollResponse, VERSION_QUERY, echoTopic, type SessionResponse } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { NO_NGINX, nginxAvailable } from "../fallback/support";
import { signIn, sleep, startTestServer, waitFor, type TestServer } from "../sdk/support/server";

/*
 * Onboarding exercise "break and fix the proxy buffering" (docs/onboarding.md): one real nginx
 * in front of the service, first with the `sse-buffered` configuration (buffering on, the
 * service's `X-Accel-Buffering: no` ignored, gzip on), then reloaded with `plain`
 * (`proxy_buffering off`). A raw SSE stream read with fetch (which accepts gzip, as browsers do):
 * nothing passes the broken proxy (not even the status line, with gzip on); after the fix a new stream resumes from the
 * same cursor, gets the held-back event and then live ones at once.
 */
const available = nginxAvailable();
if (!available) console.warn(`proxy buffering exercise skipped: ${NO_NGINX}`);

/** How long the broken proxy is watched: frames through a correct proxy take milliseconds. */
const HOLD_MS = 1_500;

/**
 * An SSE response read as text as it arrives, with fetch (gzip accepted and decoded). Not awaited:
 * through the buffering, compressing proxy even the status line is held until gzip has output.
 */
function openStream(url: string) {
  const controller = new AbortController();
  let status: number | null = null;
  let text = "";
  const decoder = new TextDecoder();
  void (async () => {
    try {
      const response = await fetch(url, { headers: { accept: "text/event-stream" }, signal: controller.signal });
      status = response.status;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
    } catch {
      // Aborted by close().
    }
  })();
  return { status: () => status, text: () => text, close: () => controller.abort() };
}

describe.skipIf(!available)("proxy buffering: SSE through nginx, broken then fixed", () => {
  let service: TestServer;
  let proxy: RunningNginx;
  let session: SessionResponse;
  let cursor: string;
  beforeAll(async () => {
    service = await startTestServer({ trustProxy: ["127.0.0.1"] });
    proxy = await startNginx({ upstream: service.baseUrl, config: "sse-buffered" });
    session = await signIn(service.baseUrl, "Grace");
    // A concrete cursor (epoch and offset) for the echo topic, so the fixed stream can resume from it.
    const poll = await fetch(`${service.baseUrl}${HTTP_PATHS.poll}?cursor=${encodeURIComponent(`${echoTopic(session.user.id)}@`)}&${VERSION_QUERY}=${PROTOCOL_VERSION}`, {
      headers: { authorization: `Bearer ${session.token}` },
    });
    cursor = PollResponse.parse(await poll.json()).cursor;
  });
  afterAll(async () => {
    await proxy?.stop();
    await service?.stop();
  });

  const auth = () => ({ authorization: `Bearer ${session.token}` });
  async function sseUrl(): Promise<string> {
    const ticket = await fetch(`${proxy.url}${HTTP_PATHS.sseTicket}`, { method: "POST", headers: auth() });
    expect(ticket.status).toBe(201);
    const { ticket: value } = (await ticket.json()) as { ticket: string };
    return `${proxy.url}${HTTP_PATHS.sse}?cursor=${encodeURIComponent(cursor)}&ticket=${encodeURIComponent(value)}&${VERSION_QUERY}=${PROTOCOL_VERSION}`;
  }
  async function echo(text: string) {
    const answer = await fetch(`${proxy.url}${HTTP_PATHS.commands}`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: JSON.stringify({ type: "echo", id: `echo-${text.replace(/\W/g, "-")}`, payload: { text } }),
    });
    expect(answer.status).toBe(200);
  }

  test("broken (sse-buffered): the ready frame and the event are held by the proxy", async () => {
    const stream = openStream(await sseUrl());
    try {
      await echo("held back");
      await sleep(HOLD_MS);
      console.log(`sse-buffered: status ${stream.status() ?? "not yet"}, ${stream.text().length} characters of SSE after ${HOLD_MS} ms`);
      expect(stream.text()).not.toContain("event: ready");
      expect(stream.text()).not.toContain("held back");
    } finally {
      stream.close();
    }
  });

  test("fixed (plain, proxy_buffering off): the stream resumes from the cursor and live frames flow at once", async () => {
    await proxy.reload("plain");
    const startedAt = performance.now();
    const stream = openStream(await sseUrl());
    try {
      await waitFor(() => stream.text().includes("event: ready") && stream.text().includes("held back"), "the ready frame and the held-back event", 3_000);
      const firstMs = performance.now() - startedAt;
      const sentAt = performance.now();
      await echo("live");
      await waitFor(() => stream.text().includes('"text":"live"'), "the live event", 3_000);
      console.log(`plain: backlog and ready in ${firstMs.toFixed(0)} ms, a live event in ${(performance.now() - sentAt).toFixed(0)} ms`);
      // The held-back event arrives once, with its cursor as the SSE id.
      expect(stream.text().match(/held back/g)).toHaveLength(1);
      expect(stream.text()).toMatch(new RegExp(`id: ${echoTopic(session.user.id)}@[\\w-]+\\.1\\n`));
    } finally {
      stream.close();
    }
  });
});
