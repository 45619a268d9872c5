import { echoTopic, ErrorResponse, HTTP_PATHS, type TransportName } from "@repo/protocol";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FALLBACK_ORDER } from "../../src/flags/transport-gate";
import { readFlagDefinitions } from "../../src/flags/flag-definitions";
import { record, signIn, startTestServer, testClient, transports, waitFor, type TestServer } from "../sdk/support/server";
import { killSwitch } from "./support";

/** The bound: every client is off a switched-off transport within this (ms). */
const MOVE_BOUND_MS = 5_000;

let service: TestServer;

beforeAll(async () => {
  service = await startTestServer();
});
afterAll(() => service.stop());

function restoreDefaults() {
  service.server.flags.store.load(readFlagDefinitions());
}

describe.each(transports)("the kill switch of $name", ({ name, options }) => {
  test("moves an open client to the next transport within the bound; nothing lost or doubled, commands in flight kept", async () => {
    const ada = await signIn(service.baseUrl, `Ada ${name}`);
    const client = testClient(service.baseUrl, ada.token, name, options);
    const moved: Array<{ from: string; to: string }> = [];
    client.on("moved", (change) => moved.push(change));
    try {
      const seen = record(client, echoTopic(ada.user.id), null);
      await client.whenOpen();
      for (let i = 0; i < 3; i++) await client.send({ type: "echo", payload: { text: `before ${i}` } });

      const switchedAt = Date.now();
      service.server.flags.store.load(killSwitch(name, false));
      const during = Promise.all([0, 1, 2].map((i) => client.send({ type: "echo", payload: { text: `during ${i}` } })));
      const expected = FALLBACK_ORDER[(FALLBACK_ORDER.indexOf(name) + 1) % FALLBACK_ORDER.length];
      await waitFor(() => moved.length > 0 && client.status === "open", `the move off ${name}`, MOVE_BOUND_MS);
      expect(Date.now() - switchedAt).toBeLessThan(MOVE_BOUND_MS);
      expect(moved).toEqual([{ from: name, to: expected, reason: "transport_disabled" }]);
      expect(client.transportInUse).toBe(expected);
      await during;
      for (let i = 0; i < 3; i++) await client.send({ type: "echo", payload: { text: `after ${i}` } });

      await waitFor(() => seen.payloads.length >= 9, "all nine echoes");
      const texts = seen.payloads.map((p) => (p as { text: string }).text);
      expect([...texts].sort()).toEqual(["after 0", "after 1", "after 2", "before 0", "before 1", "before 2", "during 0", "during 1", "during 2"]);
      expect(seen.offsets).toEqual([...seen.offsets].sort((a, b) => a - b));
      expect(new Set(seen.offsets).size).toBe(seen.offsets.length);
      expect(seen.errors).toEqual([]);
    } finally {
      client.close();
      restoreDefaults();
    }
  });

  test("refuses new connections on it with transport_disabled, naming where to go", async () => {
    const ada = await signIn(service.baseUrl, `Bob ${name}`);
    service.server.flags.store.load(killSwitch(name, false));
    try {
      const expected = FALLBACK_ORDER[(FALLBACK_ORDER.indexOf(name) + 1) % FALLBACK_ORDER.length];
      const refusal = await refusalOf(name, ada.token, ada.user.id);
      expect(refusal).toMatchObject({ code: "transport_disabled", transport: expected });
    } finally {
      restoreDefaults();
    }
    // On again: the same request is served.
    expect(await refusalOf(name, ada.token, ada.user.id)).toBeNull();
  });
});

/** What opening `transport` answers now: the refusal's error body, or null when it is served. */
async function refusalOf(transport: TransportName, token: string, userId: string) {
  const headers = { authorization: `Bearer ${token}` };
  const cursor = encodeURIComponent(`${echoTopic(userId)}@`);
  if (transport === "websocket") {
    const socket = io(service.baseUrl, { path: HTTP_PATHS.socket, transports: ["websocket"], auth: { token }, reconnection: false });
    try {
      return await new Promise<unknown>((resolve) => {
        socket.on("connect", () => resolve(null));
        socket.on("connect_error", (error: Error & { data?: unknown }) => resolve(error.data ?? error.message));
      });
    } finally {
      socket.close();
    }
  }
  const path = transport === "sse" ? HTTP_PATHS.sseTicket : transport === "polling" ? `${HTTP_PATHS.poll}?cursor=${cursor}` : `${HTTP_PATHS.longPoll}?cursor=${cursor}&timeout=1`;
  const answer = await fetch(`${service.baseUrl}${path}`, { method: transport === "sse" ? "POST" : "GET", headers });
  if (answer.ok) return null;
  expect(answer.status).toBe(503);
  return ErrorResponse.parse(await answer.json()).error;
}

test(`a kill switch under load: 200 WebSocket clients are all moved off within ${MOVE_BOUND_MS / 1000} s`, async () => {
  const users = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(service.baseUrl, `Crowd ${i}`)));
  const clients = Array.from({ length: 200 }, (_, i) => {
    const user = users[i % users.length]!;
    const client = testClient(service.baseUrl, user.token, "websocket");
    record(client, echoTopic(user.user.id), null);
    return client;
  });
  try {
    await Promise.all(clients.map((client) => client.whenOpen(20_000)));
    const switchedAt = Date.now();
    service.server.flags.store.load(killSwitch("websocket", false));
    await waitFor(() => clients.every((client) => client.transportInUse === "sse" && client.status === "open"), "everyone on SSE", MOVE_BOUND_MS);
    const took = Date.now() - switchedAt;
    expect(took).toBeLessThan(MOVE_BOUND_MS);
    console.log(`kill switch: 200 WebSocket clients moved to SSE in ${took} ms`);
    expect(service.server.openConnections()).toBe(200);
  } finally {
    for (const client of clients) client.close();
    restoreDefaults();
  }
}, 60_000);
