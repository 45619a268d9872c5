import type { RunningNginx } from "@repo/nginx";
import { HTTP_PATHS } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ALLOWED_ORIGIN, FOREIGN_ORIGIN, signIn, sleep, startTestServer, testClient, transports, waitFor, type TestServer } from "../sdk/support/server";
import { NO_NGINX, nginxAvailable, proxyFor, readRoom, chatRoom, sameStream } from "./support";

/*
 * The service behind a correctly configured nginx (`plain`): the origin
 * allowlist and CORS still hold through the proxy, and all four transports
 * work through it without the fallback chain (the baseline the blocked
 * configurations are measured against).
 */
const available = nginxAvailable();
if (!available) console.warn(`fallback tests skipped: ${NO_NGINX}`);

describe.skipIf(!available)("the service behind a plain nginx", () => {
  let service: TestServer;
  let proxy: RunningNginx;
  beforeAll(async () => {
    service = await startTestServer({ trustProxy: ["127.0.0.1"] });
    proxy = await proxyFor(service, "plain");
  });
  afterAll(async () => {
    await proxy?.stop();
    await service?.stop();
  });

  test("the origin allowlist and CORS hold through the proxy", async () => {
    const allowed = await fetch(`${proxy.url}${HTTP_PATHS.health}`, { headers: { origin: ALLOWED_ORIGIN } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    const foreign = await fetch(`${proxy.url}${HTTP_PATHS.session}`, { method: "POST", headers: { origin: FOREIGN_ORIGIN, "content-type": "application/json" }, body: "{}" });
    expect(foreign.status).toBe(403);
    const ada = await signIn(proxy.url, "Ada through nginx");
    expect(ada.user.name).toBe("Ada through nginx");
  });

  test.each(transports)("$name works through it, nothing lost or doubled", async ({ name, options }) => {
    const room = await chatRoom(service, `Reader ${name}`);
    const client = testClient(proxy.url, room.session.token, name, options);
    try {
      const seen = readRoom(client, room.topic, room.position);
      await client.whenOpen(10_000);
      for (let i = 0; i < 3; i++) await room.say(`message ${i}`);
      await waitFor(() => seen.length >= room.sent && room.offsets.length >= room.sent, "every message on the reader");
      await sleep(200);
      expect(sameStream(seen, room.offsets), `reader ${seen.join(",")} vs writer ${room.offsets.join(",")}`).toBe(true);
      expect(client.transportInUse).toBe(name);
    } finally {
      client.close();
      room.close();
    }
  });
});
