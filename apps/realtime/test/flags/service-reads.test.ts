import { POLL_INTERVAL_HEADER, echoTopic, HTTP_PATHS } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readFlagDefinitions } from "../../src/flags/flag-definitions";
import { record, signIn, startTestServer, testClient, type TestServer } from "../sdk/support/server";
import { definitionsWith } from "./support";

/** The service reads its own flags through the OpenFeature client: what it advises and holds follows them live. */
let service: TestServer;
beforeAll(async () => {
  service = await startTestServer({ longPollTimeoutMs: 30_000 });
});
afterAll(() => service.stop());

const numberFlag = (key: string, value: number) =>
  definitionsWith({ [key]: { state: "ENABLED", variants: { chosen: value }, defaultVariant: "chosen" } });

describe("flags the service reads", () => {
  test("polling.interval-ms: every short-poll answer advises it (200 and 304), and an SDK client with no interval of its own follows it", async () => {
    const ada = await signIn(service.baseUrl, "Ada");
    const url = `${service.baseUrl}${HTTP_PATHS.poll}?cursor=${encodeURIComponent(`${echoTopic(ada.user.id)}@`)}`;
    const first = await fetch(url, { headers: { authorization: `Bearer ${ada.token}` } });
    expect(first.headers.get(POLL_INTERVAL_HEADER)).toBe("1000");
    service.server.flags.store.load(numberFlag("polling.interval-ms", 200));
    const again = await fetch(url, { headers: { authorization: `Bearer ${ada.token}`, "if-none-match": first.headers.get("etag")! } });
    expect(again.status).toBe(304);
    expect(again.headers.get(POLL_INTERVAL_HEADER)).toBe("200");

    // pollIntervalMs: undefined — the client takes the service's advice.
    const client = testClient(service.baseUrl, ada.token, "polling", { pollIntervalMs: undefined });
    try {
      const seen = record(client, echoTopic(ada.user.id), null);
      await client.whenOpen();
      const before = client.metrics().requests;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const polls = client.metrics().requests - before;
      // ~7 at 200 ms; 1 or 2 at the old 1,000 ms.
      expect(polls).toBeGreaterThanOrEqual(5);
      expect(polls).toBeLessThanOrEqual(9);
      expect(seen.errors).toEqual([]);
    } finally {
      client.close();
      service.server.flags.store.load(readFlagDefinitions());
    }
  });

  test("long-polling.hold-ms: an idle long poll is answered after the flag's hold, not the longer one asked for", async () => {
    const ada = await signIn(service.baseUrl, "Bob");
    service.server.flags.store.load(numberFlag("long-polling.hold-ms", 1000));
    try {
      const url = `${service.baseUrl}${HTTP_PATHS.longPoll}?cursor=${encodeURIComponent(`${echoTopic(ada.user.id)}@`)}&timeout=20000`;
      const startedAt = Date.now();
      const answer = await fetch(url, { headers: { authorization: `Bearer ${ada.token}` } });
      const held = Date.now() - startedAt;
      expect([200, 304]).toContain(answer.status);
      expect(held).toBeGreaterThanOrEqual(900);
      expect(held).toBeLessThan(5000);
    } finally {
      service.server.flags.store.load(readFlagDefinitions());
    }
  });

  test("game.tick-hz: a game created without a tick rate gets the flag's", async () => {
    const ada = await signIn(service.baseUrl, "Cy");
    const client = testClient(service.baseUrl, ada.token, "websocket");
    try {
      service.server.flags.store.load(numberFlag("game.tick-hz", 20));
      const { game } = await client.send({ type: "game.create", payload: {} });
      expect(game.settings.tickHz).toBe(20);
      await client.send({ type: "game.leave", payload: { gameId: game.id } });
      const named = await client.send({ type: "game.create", payload: { tickHz: 10 } });
      expect(named.game.settings.tickHz).toBe(10);
      await client.send({ type: "game.leave", payload: { gameId: named.game.id } });
    } finally {
      client.close();
      service.server.flags.store.load(readFlagDefinitions());
    }
  });
});

