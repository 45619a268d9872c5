import { createDatabase, type Database } from "@repo/db";
import type { RunningNginx } from "@repo/nginx";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { signIn, sleep, startTestServer, waitFor, type TestServer } from "../sdk/support/server";
import { NO_NGINX, fallbackClient, nginxAvailable, proxyFor } from "./support";
import { echoTopic } from "@repo/protocol";

/*
 * The service restarted behind the proxy: while it is down every transport
 * fails to open and plain HTTP fails too (nginx answers 502), so the client
 * must not take it for a blocked transport. It stays on its transport,
 * reconnects with backoff, and is back on it once the service is.
 * (Short polling is the end of the chain: there is nothing to fall back to.)
 */
const available = nginxAvailable();
if (!available) console.warn(`fallback tests skipped: ${NO_NGINX}`);

const CANDIDATES = [{ transport: "websocket" }, { transport: "sse" }, { transport: "long-polling" }] as const;

describe.skipIf(!available)("service restarted behind nginx", () => {
  let db: Database;
  let service: TestServer;
  let proxy: RunningNginx;
  let port: number;
  beforeAll(async () => {
    db = await createDatabase({ pgliteDir: "memory" });
    service = await startTestServer({}, { db });
    port = Number(new URL(service.baseUrl).port);
    proxy = await proxyFor(service, "plain");
  });
  afterAll(async () => {
    await proxy?.stop();
    await service?.stop();
    await db?.close();
  });

  test.each(CANDIDATES)("$transport: no fallback while the service is down; back on $transport after the restart", async ({ transport }) => {
    const ada = await signIn(service.baseUrl, `Ada ${transport}`);
    const { client, moves } = fallbackClient(proxy.url, ada.token, transport, { openTimeoutMs: 1_000 }, { longPollTimeoutMs: 2_000 });
    try {
      const offsets: number[] = [];
      client.subscribe(echoTopic(ada.user.id), (event) => offsets.push(event.offset), { cursor: null });
      await client.whenOpen(10_000);
      await client.send({ type: "echo", payload: { text: "before" } });
      await waitFor(() => offsets.length === 1, "the first echo");

      await service.stop();
      // Long enough for several failed opens and open timeouts, each followed by a failed health check.
      await waitFor(() => client.status === "reconnecting", "the client noticing", 10_000);
      await sleep(3_500);
      expect(client.transportInUse).toBe(transport);
      expect(client.metrics().reconnects).toBeGreaterThanOrEqual(2);

      service = await startTestServer({}, { db, port });
      await waitFor(() => client.status === "open", `back on ${transport}`, 15_000);
      expect(client.transportInUse).toBe(transport);
      await client.send({ type: "echo", payload: { text: "after" } });
      await waitFor(() => offsets.length === 2, "the echo after the restart");
      expect(moves).toEqual([]);
      expect(client.metrics().fallbacks).toBe(0);
    } finally {
      client.close();
    }
  });
});
