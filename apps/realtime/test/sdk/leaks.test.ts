import { request as httpRequest, type ClientRequest } from "node:http";
import { connect } from "node:net";
import { HTTP_PATHS, TICKER_TOPIC, echoTopic, encodeCursor, type SessionResponse, type TicketResponse } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { record, signIn, startTestServer, testClient, transports, waitFor, type TestServer } from "./support/server";

let running: TestServer;
let session: SessionResponse;
let baselineListeners: number;

beforeAll(async () => {
  // Long polls are held far longer than the tests take: only abandonment can end them.
  running = await startTestServer({ longPollTimeoutMs: 60_000 });
  session = await signIn(running.baseUrl);
  baselineListeners = running.server.hub.listenerCount();
});
afterAll(async () => {
  await running?.stop();
});

/** Two topics; `quiet` leaves out the ticker, whose tick every second would answer a held long poll. */
function cursorParam(quiet = false): string {
  const topics = quiet ? { [echoTopic(session.user.id)]: null } : { [echoTopic(session.user.id)]: null, [TICKER_TOPIC]: null };
  return encodeURIComponent(encodeCursor(topics));
}

async function ticket(): Promise<string> {
  const response = await fetch(`${running.baseUrl}${HTTP_PATHS.sseTicket}`, { method: "POST", headers: { authorization: `Bearer ${session.token}` } });
  return ((await response.json()) as TicketResponse).ticket;
}

async function gauges() {
  return {
    open: running.server.openConnections(),
    listeners: running.server.hub.listenerCount(),
    longPolling: await running.gauge('switchboard_open{transport="long-polling"}'),
    sse: await running.gauge('switchboard_open{transport="sse"}'),
    websocket: await running.gauge('switchboard_open{transport="websocket"}'),
    timers: await running.gauge("switchboard_pending_timers"),
    hubListeners: await running.gauge("switchboard_hub_listeners"),
  };
}

/** Nothing left: no tracked connection, hub listeners at baseline, every gauge at zero. */
async function expectNothingLeft() {
  const clean = { open: 0, listeners: baselineListeners, longPolling: 0, sse: 0, websocket: 0, timers: 0, hubListeners: baselineListeners };
  let last = await gauges();
  await waitFor(async () => JSON.stringify((last = await gauges())) === JSON.stringify(clean), "everything to be released", 5_000).catch(() => {});
  expect(last).toEqual(clean);
}

/** Opens a GET with node:http (so the test can destroy its socket); resolves once the response headers are in. */
function rawGet(path: string): Promise<ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${running.baseUrl}${path}`, { headers: { authorization: `Bearer ${session.token}` } });
    req.on("response", (response) => {
      response.resume();
      resolve(req);
    });
    req.on("error", () => {});
    req.end();
    setTimeout(() => reject(new Error("no response headers")), 5_000).unref();
  });
}

describe("abandoned requests and streams leave nothing behind", () => {
  test("long polls whose client aborts", async () => {
    const controllers = Array.from({ length: 10 }, () => new AbortController());
    const pending = controllers.map((controller) =>
      fetch(`${running.baseUrl}${HTTP_PATHS.longPoll}?cursor=${cursorParam(true)}&timeout=60000`, {
        headers: { authorization: `Bearer ${session.token}` },
        signal: controller.signal,
      }).catch(() => null),
    );
    await waitFor(() => running.server.openConnections() === 10, "10 held long polls");
    // Held polls of one topic share one hub listener (the subscription core's topic channel).
    expect(running.server.hub.listenerCount()).toBe(baselineListeners + 1);
    expect(await running.gauge("switchboard_pending_timers")).toBe(10);
    for (const controller of controllers) controller.abort();
    await Promise.all(pending);
    await expectNothingLeft();
  });

  test("long polls whose socket is destroyed", async () => {
    // The held request has no response headers yet: destroy the socket as soon as it is assigned.
    const requests: ClientRequest[] = [];
    for (let i = 0; i < 5; i++) {
      const req = httpRequest(`${running.baseUrl}${HTTP_PATHS.longPoll}?cursor=${cursorParam(true)}&timeout=60000`, {
        headers: { authorization: `Bearer ${session.token}` },
      });
      req.on("error", () => {});
      req.end();
      requests.push(req);
    }
    await waitFor(() => running.server.openConnections() === 5, "5 held long polls");
    for (const req of requests) req.socket?.destroy();
    await expectNothingLeft();
  });

  test("SSE streams whose client aborts", async () => {
    const controllers: AbortController[] = [];
    for (let i = 0; i < 10; i++) {
      const controller = new AbortController();
      controllers.push(controller);
      const response = await fetch(`${running.baseUrl}${HTTP_PATHS.sse}?cursor=${cursorParam()}&ticket=${await ticket()}`, { signal: controller.signal });
      expect(response.status).toBe(200);
      // Read the first frames, so the stream is really flowing before the client vanishes.
      await response.body!.getReader().read();
    }
    await waitFor(() => running.server.openConnections() === 10, "10 open streams");
    expect(await running.gauge('switchboard_open{transport="sse"}')).toBe(10);
    for (const controller of controllers) controller.abort();
    await expectNothingLeft();
  });

  test("SSE streams whose socket is destroyed", async () => {
    const requests: ClientRequest[] = [];
    for (let i = 0; i < 5; i++) requests.push(await rawGet(`${HTTP_PATHS.sse}?cursor=${cursorParam()}&ticket=${await ticket()}`));
    await waitFor(() => running.server.openConnections() === 5, "5 open streams");
    for (const req of requests) req.socket?.destroy();
    await expectNothingLeft();
  });

  test("long polls and SSE streams whose client leaves before they are even authorized", async () => {
    // Request and FIN in one go: the connection is gone while the handler still awaits auth.
    const { hostname, port } = new URL(running.baseUrl);
    const hitAndRun = (path: string, headers = "") => {
      const socket = connect(Number(port), hostname);
      socket.on("error", () => {});
      socket.end(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\n${headers}\r\n`);
    };
    for (let i = 0; i < 20; i++) {
      hitAndRun(`${HTTP_PATHS.longPoll}?cursor=${cursorParam(true)}&timeout=60000`, `Authorization: Bearer ${session.token}\r\n`);
      hitAndRun(`${HTTP_PATHS.sse}?cursor=${cursorParam()}&ticket=${await ticket()}`);
    }
    await expectNothingLeft();
  });

  test.each(transports)("the SDK over $name, closed mid-stream", async ({ name, options }) => {
    const client = testClient(running.baseUrl, session.token, name, { ...options, longPollTimeoutMs: 60_000 });
    record(client, echoTopic(session.user.id), null);
    record(client, TICKER_TOPIC, null);
    await client.whenOpen();
    if (name !== "polling") {
      await waitFor(async () => (await running.gauge(`switchboard_open{transport="${name}"}`)) === 1, `the ${name} connection`);
      await waitFor(() => running.server.hub.listenerCount() === baselineListeners + 2, "hub listeners for both topics");
    }
    client.close();
    await expectNothingLeft();
  });

  test.each(transports)("the SDK over $name, dropped and reconnected, then closed", async ({ name, options }) => {
    const client = testClient(running.baseUrl, session.token, name, { ...options, longPollTimeoutMs: 60_000 });
    record(client, echoTopic(session.user.id), null);
    await client.whenOpen();
    for (let i = 0; i < 3; i++) {
      running.dropConnections();
      client.dropConnection();
      await waitFor(() => client.status === "open", "the reconnect");
    }
    client.close();
    await expectNothingLeft();
  });
});
