import { HTTP_PATHS, echoTopic, type ClosingNotice } from "@repo/protocol";
import { describe, expect, test } from "vitest";
import { range, record, signIn, sleep, startTestServer, testClient, transports, waitFor } from "./support/server";

describe.each(transports)("service restart under $name", ({ name, options }) => {
  test("a deliberate shutdown is announced, and the restarted instance's lost history comes back as a reset", async () => {
    const first = await startTestServer();
    const port = Number(new URL(first.baseUrl).port);
    const session = await signIn(first.baseUrl);
    const topic = echoTopic(session.user.id);
    const head = await first.server.hub.head(topic);
    const client = testClient(first.baseUrl, session.token, name, options);
    const notices: ClosingNotice[] = [];
    client.on("closing", (notice) => notices.push(notice));
    const seen = record(client, topic, { epoch: head.epoch, offset: head.offset });
    await client.whenOpen();
    for (let n = 1; n <= 5; n++) await first.server.hub.publish(topic, "echo", { n });
    await waitFor(() => seen.offsets.length === 5, "the first instance's events");

    // Same database (sessions survive), same port, new in-memory hub: history is gone.
    await first.server.close();
    await waitFor(() => client.status === "reconnecting", "the client to notice");
    if (name === "sse" || name === "websocket") expect(notices.map((notice) => notice.reason)).toEqual(["server_shutdown"]);
    const second = await startTestServer({}, { db: first.db, port });
    try {
      await waitFor(() => seen.resets.length === 1, "the reset from the new instance");
      expect(seen.resets[0]!.reason).toBe("unknown_epoch");
      await client.whenOpen();
      await sleep(30);
      for (let n = 1; n <= 3; n++) await second.server.hub.publish(topic, "echo", { n: 100 + n });
      await waitFor(() => seen.offsets.length === 8, "the second instance's events");
      expect(seen.offsets).toEqual([...range(0, 5), ...range(0, 3)]);
      expect(client.cursors()[topic]!.epoch).not.toBe(head.epoch);
      client.close();
    } finally {
      await second.stop();
      await first.db.close();
    }
  });
});

describe("metrics", () => {
  test("an idle short poll costs 304s, counted as empty polls", async () => {
    const running = await startTestServer();
    try {
      const session = await signIn(running.baseUrl);
      const statuses: number[] = [];
      const client = testClient(running.baseUrl, session.token, "polling", {
        pollIntervalMs: 20,
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if ((input instanceof Request ? input.url : input.toString()).includes(HTTP_PATHS.poll)) statuses.push(response.status);
          return response;
        },
      });
      const seen = record(client, echoTopic(session.user.id), null);
      await client.whenOpen();
      await running.server.hub.publish(echoTopic(session.user.id), "echo", { n: 1 });
      await waitFor(() => seen.offsets.length === 1, "the event");
      await sleep(200);
      const metrics = client.metrics();
      expect(statuses.filter((status) => status === 304).length).toBeGreaterThanOrEqual(3);
      expect(metrics.emptyPolls).toBeGreaterThanOrEqual(statuses.filter((status) => status === 304).length);
      // Every request counted; one may still be in flight.
      expect(metrics.requests - statuses.length).toBeGreaterThanOrEqual(0);
      expect(metrics.requests - statuses.length).toBeLessThanOrEqual(1);
      expect(metrics.events).toBe(1);
      expect(metrics.bytesReceived).toBeGreaterThan(0);
      expect(metrics.latency.samples).toBe(1);
      client.close();
    } finally {
      await running.stop();
    }
  });
});
