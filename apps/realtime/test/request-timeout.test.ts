// F8: requestTimeout bounds how long a client may take to send its request, not how long the
// service holds an answer. A slow body is cut; held long polls and SSE streams are not.
import { connect } from "node:net";
import { PollResponse } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openRawSse } from "./support/raw-sse";
import { openRawRequest, statusOf } from "./support/raw-http";
import { signIn, startServer, type RunningServer } from "./support/start-server";

const REQUEST_TIMEOUT_MS = 1000;

let running: RunningServer;
let token: string;
let userId: string;
beforeAll(async () => {
  running = await startServer({ config: { requestTimeoutMs: REQUEST_TIMEOUT_MS, longPollTimeoutMs: 2 * REQUEST_TIMEOUT_MS + 500 } });
  ({ token, user: { id: userId } } = await signIn(running.baseUrl));
});
afterAll(async () => {
  await running.stop();
});

describe("request timeout", () => {
  test("a body that trickles in is cut with 408 and the connection closed", async () => {
    const slow = openRawRequest(running.baseUrl, {
      method: "POST",
      path: "/v1/session",
      headers: { "content-type": "application/json", "content-length": "1000" },
    });
    await slow.write("{");
    const started = Date.now();
    const raw = await slow.ended;
    expect(statusOf(raw)).toBe(408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
  });

  test("headers that never end are cut too", async () => {
    const { port } = new URL(running.baseUrl);
    const raw = await new Promise<string>((resolve) => {
      let text = "";
      // No blank line after the headers: the request never finishes.
      const socket = connect(Number(port), "127.0.0.1", () => socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => (text += chunk));
      socket.on("close", () => resolve(text));
      socket.on("error", () => undefined);
    });
    expect(statusOf(raw)).toBe(408);
  });

  test("a long poll held for twice the request timeout still answers", async () => {
    const started = Date.now();
    const response = await fetch(`${running.baseUrl}/v1/long-poll?cursor=echo:${userId}@`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(PollResponse.parse(await response.json()).events).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * REQUEST_TIMEOUT_MS);
  });

  test("an SSE stream open for twice the request timeout still delivers", async () => {
    const ticket = await fetch(`${running.baseUrl}/v1/sse/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    const stream = openRawSse(`${running.baseUrl}/v1/sse?cursor=echo:${userId}@&ticket=${((await ticket.json()) as { ticket: string }).ticket}`);
    await stream.waitFor(() => stream.frames.some((f) => f.event === "ready"));
    await new Promise((resolve) => setTimeout(resolve, 2 * REQUEST_TIMEOUT_MS + 200));
    const sent = await fetch(`${running.baseUrl}/v1/commands`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ id: "late-echo-0001", type: "echo", payload: { text: "still here" } }),
    });
    expect(sent.status).toBe(200);
    await stream.waitFor(() => stream.frames.some((f) => f.event === "message" && f.data.includes("still here")));
    expect(stream.ended()).toBe(false);
    stream.destroy();
  });
});
