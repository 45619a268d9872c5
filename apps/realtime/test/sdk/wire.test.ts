import type { WireEvent } from "@repo/client";
import { echoTopic } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { record, signIn, startTestServer, testClient, transports, waitFor, type TestServer } from "./support/server";

/*
 * The SDK's wire debug events against the real service: each transport's
 * requests, frames and packets as they happen, with sizes, and nothing once
 * the last listener is gone.
 */
let running: TestServer;
beforeAll(async () => {
  running = await startTestServer();
});
afterAll(async () => {
  await running?.stop();
});

describe.each(transports)("wire events over $name", ({ name, options }) => {
  test("requests, frames and packets are reported as they happen, and stop with the listener", async () => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    const client = testClient(running.baseUrl, session.token, name, options);
    const wire: WireEvent[] = [];
    const off = client.on("wire", (event) => wire.push(event));
    const seen = record(client, topic, null);
    await client.whenOpen();
    await client.send({ type: "echo", payload: { text: "hello wire" } });
    await waitFor(() => seen.offsets.length === 1, "the echo");
    await waitFor(() => wire.length >= 3, "wire events");

    const http = wire.filter((event) => event.kind === "http");
    const sse = wire.filter((event) => event.kind === "sse");
    const socket = wire.filter((event) => event.kind === "socket");
    // Every request's path is bare: no cursor, no SSE ticket.
    for (const event of http) {
      expect(event.path).not.toContain("?");
      expect(event.requestHeaderBytes).toBeGreaterThan(event.path.length);
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
    }
    if (name === "polling" || name === "long-polling") {
      const polls = http.filter((event) => event.path === (name === "polling" ? "/v1/poll" : "/v1/long-poll"));
      const withEvent = polls.find((event) => event.status === 200 && event.responseBodyBytes > 0);
      expect(withEvent, JSON.stringify(polls.slice(0, 3))).toBeDefined();
      expect(withEvent!.responseHeaderBytes).toBeGreaterThan(0);
      const command = http.find((event) => event.method === "POST" && event.path === "/v1/commands");
      expect(command?.status).toBe(200);
      expect(command?.requestBodyBytes).toBeGreaterThan("hello wire".length);
    }
    if (name === "sse") {
      expect(http.find((event) => event.path === "/v1/sse/ticket")?.status).toBe(201);
      expect(sse.map((event) => event.event)).toEqual(expect.arrayContaining(["open", "ready", "message"]));
      const message = sse.find((event) => event.event === "message")!;
      expect(message.dataBytes).toBeGreaterThan("hello wire".length);
      expect(message.id).not.toBe("");
    }
    if (name === "websocket") {
      expect(socket.some((event) => event.direction === "out" && event.packet === "EVENT")).toBe(true);
      expect(socket.some((event) => event.direction === "in" && event.packet === "ACK")).toBe(true);
      const delivered = socket.filter((event) => event.direction === "in" && event.packet === "EVENT");
      expect(delivered.length).toBeGreaterThan(0);
      expect(Math.max(...delivered.map((event) => event.bytes))).toBeGreaterThan("hello wire".length);
      expect(http.filter((event) => event.path === "/v1/commands")).toEqual([]);
    } else {
      expect(socket).toEqual([]);
    }

    off();
    const before = wire.length;
    await client.send({ type: "echo", payload: { text: "unheard" } });
    await waitFor(() => seen.offsets.length === 2, "the second echo");
    expect(wire.length).toBe(before);
    client.close();
  });
});
