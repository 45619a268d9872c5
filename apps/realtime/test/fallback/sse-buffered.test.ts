import type { RunningNginx } from "@repo/nginx";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { sleep, startTestServer, testClient, waitFor, type TestServer } from "../sdk/support/server";
import { NO_NGINX, TEST_FALLBACK, chatRoom, fallbackClient, nginxAvailable, proxyFor, readRoom, sameStream } from "./support";

/*
 * A real nginx that buffers SSE (it ignores the service's X-Accel-Buffering:
 * no): the response headers pass, the frames do not. The SDK counts SSE as
 * open only at the first server frame, so such a stream fails to open within
 * the open timeout, and the client moves on to long polling, in bounded time,
 * with nothing lost or doubled.
 */
const available = nginxAvailable();
if (!available) console.warn(`fallback tests skipped: ${NO_NGINX}`);

describe.skipIf(!available)("SSE buffered by nginx", () => {
  let service: TestServer;
  let proxy: RunningNginx;
  beforeAll(async () => {
    service = await startTestServer({ trustProxy: ["127.0.0.1"] });
    proxy = await proxyFor(service, "sse-buffered");
  });
  afterAll(async () => {
    await proxy?.stop();
    await service?.stop();
  });

  test("without the chain, the buffered stream never opens (the proxy really buffers)", async () => {
    const room = await chatRoom(service, "Linus");
    const client = testClient(proxy.url, room.session.token, "sse");
    try {
      readRoom(client, room.topic, room.position);
      await sleep(2_500);
      expect(client.status).toBe("connecting");
      expect(client.transportInUse).toBe("sse");
    } finally {
      client.close();
      room.close();
    }
  });

  test("a client wanting SSE moves on to long polling within the open timeout (+ slack), 0 lost / 0 dup", async () => {
    const room = await chatRoom(service, "Barbara");
    const { client, moves } = fallbackClient(proxy.url, room.session.token, "sse", {}, { longPollTimeoutMs: 2_000 });
    try {
      const startedAt = performance.now();
      const seen = readRoom(client, room.topic, room.position);
      await room.say("before the client opens");
      await waitFor(() => client.status === "open", "open on long polling", 15_000);
      const elapsed = performance.now() - startedAt;
      console.log(`fallback time, SSE buffered by nginx: ${elapsed.toFixed(0)} ms to open on long polling (open timeout ${TEST_FALLBACK.openTimeoutMs} ms)`);
      expect(client.transportInUse).toBe("long-polling");
      expect(elapsed).toBeLessThan(TEST_FALLBACK.openTimeoutMs + 3_000);
      expect(moves).toEqual([{ from: "sse", to: "long-polling", reason: "fallback" }]);
      for (let i = 0; i < 3; i++) await room.say(`after ${i}`);
      await waitFor(() => seen.length >= room.sent && room.offsets.length >= room.sent, "every message on the reader");
      await sleep(200);
      expect(sameStream(seen, room.offsets), `reader ${seen.join(",")} vs writer ${room.offsets.join(",")}`).toBe(true);
      await waitFor(async () => (await service.gauge('switchboard_transport_fallbacks_total{from="sse",to="long-polling"}')) >= 1, "the fallback in /metrics");
    } finally {
      client.close();
      room.close();
    }
  });
});
