import type { ClosingNotice, EventEnvelope, SubscribeAck } from "@repo/protocol";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { eventually, metricValue } from "./support/metrics";
import { ALLOWED_ORIGIN, signIn, startServer, type RunningServer } from "./support/start-server";
import { openTopics } from "./support/test-features";

const TOPIC = "system:bench";
let running: RunningServer;
let token: string;

beforeAll(async () => {
  running = await startServer({
    config: { maxBufferedBytes: 64 * 1024 },
    features: [openTopics("system")],
  });
  ({ token } = await signIn(running.baseUrl));
});
afterAll(async () => {
  await running.stop();
});

function connectClient(options: { token?: string; origin?: string } = {}): Promise<Socket> {
  const socket = io(running.baseUrl, {
    path: "/v1/ws",
    transports: ["websocket"],
    reconnection: false,
    auth: options.token ? { token: options.token } : {},
    extraHeaders: options.origin ? { origin: options.origin } : {},
  });
  return new Promise((resolve, reject) => {
    socket.on("connect", () => resolve(socket));
    socket.on("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** A bare engine.io/socket.io speaker over `ws`, so the test can stop reading at the TCP level. */
function connectRaw(): Promise<WebSocket> {
  const url = `${running.baseUrl.replace("http", "ws")}/v1/ws/?EIO=4&transport=websocket`;
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.on("message", (data) => {
      const text = (data as Buffer).toString("utf8");
      if (text.startsWith("0")) ws.send(`40${JSON.stringify({ token })}`);
      else if (text.startsWith("40")) ws.send(`420${JSON.stringify(["subscribe", { cursor: `${TOPIC}@` }])}`);
      else if (text.startsWith("430")) resolve(ws);
    });
    ws.on("error", reject);
  });
}

describe("websocket transport", () => {
  test("refuses a foreign Origin at the handshake (cross-site WebSocket hijacking)", async () => {
    await expect(connectClient({ token, origin: "https://evil.example" })).rejects.toThrow();
    const raw = new WebSocket(`${running.baseUrl.replace("http", "ws")}/v1/ws/?EIO=4&transport=websocket`, {
      headers: { origin: "https://evil.example" },
    });
    const refusal = await new Promise<{ status: number; body: string }>((resolve) => {
      raw.on("unexpected-response", (_request, response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      });
      raw.on("open", () => resolve({ status: 101, body: "" }));
    });
    // engine.io answers every refused upgrade with 400; the body names the reason.
    expect(refusal).toEqual({ status: 400, body: "Forbidden" });
    // The allowed origin connects.
    const ok = await connectClient({ token, origin: ALLOWED_ORIGIN });
    ok.close();
  });

  test("refuses a connection without a valid session", async () => {
    await expect(connectClient()).rejects.toMatchObject({ message: "unauthorized" });
    await expect(connectClient({ token: "not-a-token" })).rejects.toMatchObject({ message: "unauthorized" });
  });

  test("a consumer that stops reading is cut with a reason; a healthy one gets everything", async () => {
    const cutBefore = await metricValue(running.baseUrl, "switchboard_slow_consumers_cut_total", { transport: "websocket" });
    const healthy = await connectClient({ token });
    const received: EventEnvelope[] = [];
    healthy.on("event", (event: EventEnvelope) => received.push(event));
    const ack = (await healthy.emitWithAck("subscribe", { cursor: `${TOPIC}@` })) as SubscribeAck;
    expect(ack.ok).toBe(true);

    const slow = await connectRaw();
    const slowClosed = new Promise<void>((resolve) => slow.on("close", () => resolve()));
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();

    const pad = "x".repeat(16 * 1024);
    const cutNow = () => metricValue(running.baseUrl, "switchboard_slow_consumers_cut_total", { transport: "websocket" });
    let published = 0;
    while (published < 4000 && (published % 50 !== 0 || (await cutNow()) === cutBefore)) {
      await running.server.hub.publish(TOPIC, "test", { i: published++, pad });
      // Server and clients share this process: let the healthy client keep reading.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await cutNow()).toBe(cutBefore + 1);
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    await slowClosed;

    await eventually(async () => received.length, published, 10_000);
    expect(received.map((e) => (e.payload as { i: number }).i)).toEqual(Array.from({ length: published }, (_, i) => i));
    healthy.close();
    expect(await eventually(() => metricValue(running.baseUrl, "switchboard_open", { transport: "websocket" }), 0)).toBe(0);
    // Leaving sockets release their topic's hub listener.
    expect(await eventually(async () => running.server.hub.listenerCount(), 0)).toBe(0);
  });

  test("sockets are told why when the server shuts down", async () => {
    const own = await startServer({ features: [openTopics("system")] });
    const { token: ownToken } = await signIn(own.baseUrl);
    const socket = io(own.baseUrl, { path: "/v1/ws", transports: ["websocket"], reconnection: false, auth: { token: ownToken } });
    await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
    const notice = new Promise<ClosingNotice>((resolve) => socket.on("closing", resolve));
    await own.stop();
    expect(await notice).toMatchObject({ reason: "server_shutdown" });
    socket.close();
  });
});
