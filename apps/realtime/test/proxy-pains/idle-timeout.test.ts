import { IDLE_TIMEOUT_S, type RunningNginx } from "@repo/nginx";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { sleep, startTestServer, testClient, waitFor, type TestServer } from "../sdk/support/server";
import { NO_NGINX, chatRoom, nginxAvailable, proxyFor } from "../fallback/support";

/*
 * The /lab "Idle timeouts" pain through real nginx (proxy_read_timeout IDLE_TIMEOUT_S): on a
 * quiet room, a long poll held longer than the timeout gets nginx's 504 and an SSE stream whose
 * heartbeat is rarer is cut; the same clients asking for a hold or heartbeat under the timeout
 * (`longPollTimeoutMs`, `sseHeartbeatMs`) are never cut, and still receive.
 */
const available = nginxAvailable();
if (!available) console.warn(`proxy pain tests skipped: ${NO_NGINX}`);

const LONG_MS = (IDLE_TIMEOUT_S + 3) * 1000;
const SHORT_MS = 2_000;
/** Quiet long enough for one cut, with slack. */
const QUIET_MS = IDLE_TIMEOUT_S * 1000 + 1_500;

describe.skipIf(!available)("idle timeouts (lab pain)", () => {
  let service: TestServer;
  let proxy: RunningNginx;
  beforeAll(async () => {
    service = await startTestServer({ trustProxy: ["127.0.0.1"], longPollTimeoutMs: LONG_MS, sseHeartbeatMs: LONG_MS });
    proxy = await proxyFor(service, "idle-timeout");
  });
  afterAll(async () => {
    await proxy?.stop();
    await service?.stop();
  });

  test.each([
    { transport: "long-polling", cause: { longPollTimeoutMs: LONG_MS }, fix: { longPollTimeoutMs: SHORT_MS } },
    { transport: "sse", cause: {}, fix: { sseHeartbeatMs: SHORT_MS } },
  ])("$transport: a quiet wait longer than the timeout is cut, a shorter one is not", async ({ transport, cause, fix }) => {
    const room = await chatRoom(service, `Edsger on ${transport}`);
    const cut = testClient(proxy.url, room.session.token, transport, { ...cause, reconnect: { baseMs: 100, maxMs: 200 } });
    const kept = testClient(proxy.url, room.session.token, transport, fix);
    const seen = { cut: 0, kept: 0 };
    cut.subscribe(room.topic, () => seen.cut++, { cursor: room.position });
    kept.subscribe(room.topic, () => seen.kept++, { cursor: room.position });
    try {
      await Promise.all([cut.whenOpen(), kept.whenOpen()]);
      await sleep(QUIET_MS);
      expect(cut.metrics().reconnects).toBeGreaterThanOrEqual(1);
      expect(kept.metrics().reconnects).toBe(0);
      // Both still deliver: the cut one resumes from its cursor.
      const before = { ...seen };
      await room.say("after the quiet");
      await waitFor(() => seen.cut > before.cut && seen.kept > before.kept, "the message on both", 10_000);
    } finally {
      cut.close();
      kept.close();
      room.close();
    }
  });
});
