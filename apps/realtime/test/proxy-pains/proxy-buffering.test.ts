import type { RunningNginx } from "@repo/nginx";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { sleep, startTestServer, testClient, waitFor, type TestServer } from "../sdk/support/server";
import { NO_NGINX, chatRoom, nginxAvailable, proxyFor } from "../fallback/support";

/*
 * The /lab "Proxy buffering" pain through real nginx: the same SSE reader behind the
 * buffering proxy (X-Accel-Buffering ignored, buffered and gzipped) gets nothing while the
 * room talks; behind the fixed proxy every message arrives promptly.
 */
const available = nginxAvailable();
if (!available) console.warn(`proxy pain tests skipped: ${NO_NGINX}`);

describe.skipIf(!available)("proxy buffering (lab pain)", () => {
  let service: TestServer;
  let buffered: RunningNginx;
  let fixed: RunningNginx;
  beforeAll(async () => {
    service = await startTestServer({ trustProxy: ["127.0.0.1"] });
    [buffered, fixed] = await Promise.all([proxyFor(service, "sse-buffered"), proxyFor(service, "plain")]);
  });
  afterAll(async () => {
    await Promise.all([buffered?.stop(), fixed?.stop()]);
    await service?.stop();
  });

  test("the buffering proxy holds SSE frames; the fixed one passes each within 500 ms", async () => {
    const room = await chatRoom(service, "Grace");
    const held = testClient(buffered.url, room.session.token, "sse");
    const flowing = testClient(fixed.url, room.session.token, "sse");
    const arrivals = { held: [] as number[], flowing: [] as number[] };
    held.subscribe(room.topic, () => arrivals.held.push(performance.now()), { cursor: room.position });
    flowing.subscribe(room.topic, () => arrivals.flowing.push(performance.now()), { cursor: room.position });
    try {
      await flowing.whenOpen();
      // The room's own opening events may still be on their way: count from a settled point.
      await sleep(300);
      const heldBefore = arrivals.held.length;
      for (let n = 1; n <= 3; n++) {
        const before = arrivals.flowing.length;
        const saidAt = performance.now();
        await room.say(`frame ${n}`);
        await waitFor(() => arrivals.flowing.length > before, `frame ${n} through the fixed proxy`, 5_000);
        expect(arrivals.flowing[before]! - saidAt).toBeLessThan(500);
      }
      await sleep(1_500);
      expect(arrivals.held.length).toBe(heldBefore);
    } finally {
      held.close();
      flowing.close();
      room.close();
    }
  });
});
