import { followTransportFlag, memoryFallbackMemory } from "@repo/client";
import type { RunningNginx } from "@repo/nginx";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { sleep, startTestServer, waitFor, type TestServer } from "../sdk/support/server";
import { NO_NGINX, chatRoom, fallbackClient, nginxAvailable, proxyFor, readRoom, sameStream } from "./support";

/*
 * A real nginx that does not pass the WebSocket upgrade on (no Upgrade /
 * Connection headers), in front of the real service. A client wanting
 * WebSocket lands on SSE with nothing lost or doubled, remembers it, and a
 * second client with that memory starts on SSE directly. Tries of the
 * WebSocket again fail and stay put until the proxy allows upgrades; then the
 * client goes back up (`moved` reason `upgrade`). /metrics counts both.
 */
const available = nginxAvailable();
if (!available) console.warn(`fallback tests skipped: ${NO_NGINX}`);

describe.skipIf(!available)("WebSocket upgrade blocked by nginx", () => {
  let service: TestServer;
  let proxy: RunningNginx;
  beforeAll(async () => {
    service = await startTestServer({ trustProxy: ["127.0.0.1"] });
    proxy = await proxyFor(service, "websocket-blocked");
  });
  afterAll(async () => {
    await proxy?.stop();
    await service?.stop();
  });

  test("lands on SSE with 0 lost / 0 dup, remembers it, and a remembered client starts on SSE directly", async () => {
    const room = await chatRoom(service, "Ada");
    const memory = memoryFallbackMemory();
    const first = fallbackClient(proxy.url, room.session.token, "websocket", { memory });
    try {
      const startedAt = performance.now();
      const seen = readRoom(first.client, room.topic, room.position);
      // Messages keep coming while the client finds a transport that works.
      const during = (async () => {
        for (let i = 0; i < 4; i++) {
          await room.say(`during ${i}`);
          await sleep(150);
        }
      })();
      await waitFor(() => first.client.status === "open", "the first client open", 10_000);
      const coldMs = performance.now() - startedAt;
      expect(first.client.transportInUse).toBe("sse");
      await during;
      for (let i = 0; i < 3; i++) await room.say(`after ${i}`);
      await waitFor(() => seen.length >= room.sent && room.offsets.length >= room.sent, "every message on the reader");
      await sleep(200);
      expect(sameStream(seen, room.offsets), `reader ${seen.join(",")} vs writer ${room.offsets.join(",")}`).toBe(true);
      expect(first.moves).toEqual([{ from: "websocket", to: "sse", reason: "fallback" }]);
      expect(first.client.metrics()).toMatchObject({ fallbacks: 1, upgrades: 0, duplicates: 0 });
      expect(memory.recall(proxy.url, "websocket")).toMatchObject({ worked: "sse" });

      const second = fallbackClient(proxy.url, room.session.token, "websocket", { memory });
      try {
        const secondStart = performance.now();
        expect(second.client.transportInUse).toBe("sse");
        const secondSeen = readRoom(second.client, room.topic, room.position);
        await second.client.whenOpen(10_000);
        const rememberedMs = performance.now() - secondStart;
        await waitFor(() => secondSeen.length >= room.offsets.length, "the backlog on the remembered client");
        expect(sameStream(secondSeen, room.offsets)).toBe(true);
        // It never tried the WebSocket: every status it reported was on SSE.
        expect(second.statuses.every((entry) => entry.transport === "sse")).toBe(true);
        expect(second.moves).toEqual([{ from: "websocket", to: "sse", reason: "fallback" }]);
        console.log(`fallback time, WebSocket blocked by nginx: cold ${coldMs.toFixed(0)} ms to open on SSE; remembered ${rememberedMs.toFixed(0)} ms`);
        expect(rememberedMs).toBeLessThan(coldMs);
      } finally {
        second.client.close();
      }
    } finally {
      first.client.close();
      room.close();
    }
  });

  test("a transport flag that still says WebSocket does not undo the fallback, and reports no switch", async () => {
    const room = await chatRoom(service, "Alan");
    const { client, moves } = fallbackClient(proxy.url, room.session.token, "websocket");
    // Counts the follower's evaluations as they finish (the real call runs; only the count is added).
    const evaluate = client.evaluateFlags.bind(client);
    let evaluations = 0;
    client.evaluateFlags = async (...args) => {
      const answer = await evaluate(...args);
      evaluations++;
      return answer;
    };
    const switches: Array<{ from: string; to: string }> = [];
    try {
      readRoom(client, room.topic, room.position);
      await waitFor(() => client.status === "open", "open on the fallback", 10_000);
      expect(client.transportInUse).toBe("sse");
      // The default flags put chat on `default`, i.e. WebSocket: what the client already wants.
      const stop = followTransportFlag(client, { flag: "transport.chat", userId: room.session.user.id, onSwitch: (change) => switches.push(change) });
      await waitFor(() => evaluations >= 1, "the follower's first evaluation");
      await sleep(300);
      stop();
      expect(client.transportWanted).toBe("websocket");
      expect(client.transportInUse).toBe("sse");
      expect(switches).toEqual([]);
      expect(moves).toEqual([{ from: "websocket", to: "sse", reason: "fallback" }]);
    } finally {
      client.close();
      room.close();
    }
  });

  test("an upgrade try through the blocking proxy fails and stays put; once the proxy allows upgrades it goes back to WebSocket", async () => {
    const room = await chatRoom(service, "Grace");
    const { client, moves, memory } = fallbackClient(proxy.url, room.session.token, "websocket", { upgradeAfterMs: 400 });
    try {
      const seen = readRoom(client, room.topic, room.position);
      await waitFor(() => client.status === "open", "open on the fallback", 10_000);
      expect(client.transportInUse).toBe("sse");
      // Tries at +400 ms and +800 ms after that (doubling) both meet the blocking proxy.
      await sleep(1_500);
      expect(client.transportInUse).toBe("sse");
      expect(client.metrics().upgrades).toBe(0);
      expect(moves.map((move) => move.reason)).toEqual(["fallback"]);

      await room.say("before the proxy changes");
      await proxy.reload("plain");
      const saying = (async () => {
        for (let i = 0; i < 4; i++) {
          await room.say(`around the upgrade ${i}`);
          await sleep(300);
        }
      })();
      await waitFor(() => client.transportInUse === "websocket" && client.status === "open", "the upgrade to WebSocket", 10_000);
      await saying;
      await room.say("after the upgrade");
      await waitFor(() => seen.length >= room.sent && room.offsets.length >= room.sent, "every message on the reader");
      await sleep(200);
      expect(sameStream(seen, room.offsets), `reader ${seen.join(",")} vs writer ${room.offsets.join(",")}`).toBe(true);
      expect(moves).toEqual([
        { from: "websocket", to: "sse", reason: "fallback" },
        { from: "sse", to: "websocket", reason: "upgrade" },
      ]);
      expect(client.metrics()).toMatchObject({ fallbacks: 1, upgrades: 1, duplicates: 0 });
      expect(memory.recall(proxy.url, "websocket")).toBeUndefined();

      // The service counted what the clients reported (this test's and the one before).
      await waitFor(async () => (await service.gauge('switchboard_transport_upgrades_total{from="sse",to="websocket"}')) >= 1, "the upgrade in /metrics");
      expect(await service.gauge('switchboard_transport_fallbacks_total{from="websocket",to="sse"}')).toBeGreaterThanOrEqual(2);
    } finally {
      client.close();
      room.close();
      await proxy.reload("websocket-blocked");
    }
  });
});
