import {
  HTTP_PATHS,
  MAX_COMMAND_BYTES,
  ProtocolError,
  SOCKET_PATH,
  echoTopic,
  encodeCursor,
  type ClientToServerEvents,
  type CommandResult,
  type ServerToClientEvents,
  type TicketResponse,
} from "@repo/protocol";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createCommandId } from "@repo/client";
import {
  ALLOWED_ORIGIN,
  FOREIGN_ORIGIN,
  record,
  signIn,
  sleep,
  startTestServer,
  testClient,
  transports,
  waitFor,
  type TestServer,
} from "./support/server";

let running: TestServer;
beforeAll(async () => {
  running = await startTestServer();
});
afterAll(async () => {
  await running?.stop();
});

async function headOffset(topic: string): Promise<number> {
  return (await running.server.hub.head(topic)).offset;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe.each(transports)("commands and refusals over $name", ({ name, options }) => {
  test("another user's topic is refused; the client's other topics carry on", async () => {
    const me = await signIn(running.baseUrl, "Ada");
    const other = await signIn(running.baseUrl, "Eve");
    const client = testClient(running.baseUrl, me.token, name, options);
    const mine = record(client, echoTopic(me.user.id), null);
    const theirs = record(client, echoTopic(other.user.id), null);
    await waitFor(() => theirs.errors.length === 1, "the refusal");
    const refusal = theirs.errors[0];
    expect(refusal).toBeInstanceOf(ProtocolError);
    expect((refusal as ProtocolError).code).toBe("forbidden");
    expect(Object.keys(client.cursors())).toEqual([echoTopic(me.user.id)]);

    await client.whenOpen();
    await sleep(30);
    await running.server.hub.publish(echoTopic(other.user.id), "echo", { text: "private" });
    const result = await client.send({ type: "echo", payload: { text: "mine" } });
    await waitFor(() => mine.offsets.includes(result.offset), "my own event");
    expect(theirs.offsets).toEqual([]);
    expect(client.status).toBe("open");
    client.close();
  });

  test("a malformed command gets a typed validation error and has no effect", async () => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    const client = testClient(running.baseUrl, session.token, name, options);
    const before = await headOffset(topic);
    const empty = await rejection(client.send({ type: "echo", payload: { text: "" } }));
    expect(empty).toBeInstanceOf(ProtocolError);
    expect((empty as ProtocolError).code).toBe("validation");
    expect((empty as ProtocolError).issues?.[0]?.path).toEqual(["payload", "text"]);
    const unknown = await rejection(client.send({ type: "launch-missiles", payload: {} } as never));
    expect((unknown as ProtocolError).code).toBe("validation");
    const badId = await rejection(client.send({ id: "short", type: "echo", payload: { text: "x" } }));
    expect((badId as ProtocolError).code).toBe("validation");
    expect(await headOffset(topic)).toBe(before);
    client.close();
  });

  test("a repeated command id has one effect and returns the same result", async () => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    const client = testClient(running.baseUrl, session.token, name, options);
    const before = await headOffset(topic);
    const id = createCommandId();
    const command = { id, type: "echo", payload: { text: "once" } } as const;
    const [first, concurrent] = await Promise.all([client.send(command), client.send(command)]);
    const later = await client.send(command);
    expect(concurrent).toEqual(first);
    expect(later).toEqual(first);
    expect(first).toEqual({ topic, offset: before + 1 });
    expect(await headOffset(topic)).toBe(before + 1);
    client.close();
  });

  test("an answer lost in the network is retried with the same id: one effect", async () => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    const client = testClient(running.baseUrl, session.token, name, options);
    const seen = record(client, topic, null);
    await client.whenOpen();
    await sleep(30);
    const before = await headOffset(topic);
    // The command takes effect, then every connection dies before the answer gets out.
    const hub = running.server.hub;
    const publish = hub.publish.bind(hub);
    let cut = false;
    hub.publish = async (...args) => {
      const event = await publish(...args);
      if (!cut && args[0] === topic) {
        cut = true;
        running.dropConnections();
      }
      return event;
    };
    try {
      const result = await client.send({ type: "echo", payload: { text: "lost answer" } });
      expect(cut).toBe(true);
      expect(result).toEqual({ topic, offset: before + 1 });
      expect(client.metrics().commands).toBeGreaterThanOrEqual(2);
    } finally {
      hub.publish = publish;
    }
    await waitFor(() => seen.offsets.includes(before + 1), "the event, after the reconnect");
    await sleep(50);
    expect(await headOffset(topic)).toBe(before + 1);
    expect(seen.offsets).toEqual([before + 1]);
    client.close();
  });

  test("an oversized payload is refused as payload_too_large", async () => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    const client = testClient(running.baseUrl, session.token, name, options);
    const before = await headOffset(topic);
    const error = await rejection(client.send({ type: "echo", payload: { text: "x".repeat(MAX_COMMAND_BYTES + 1) } }));
    expect((error as ProtocolError).code).toBe("payload_too_large");
    expect(await headOffset(topic)).toBe(before);
    client.close();
  });

  test("a foreign Origin is refused", async () => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    const cursor = encodeURIComponent(encodeCursor({ [topic]: null }));
    const auth = { authorization: `Bearer ${session.token}` };
    if (name === "websocket") {
      await expect(connectSocket(session.token, FOREIGN_ORIGIN)).rejects.toThrow();
      // Control: the same handshake from the allowed origin connects.
      const socket = await connectSocket(session.token, ALLOWED_ORIGIN);
      socket.disconnect();
      return;
    }
    let path = name === "polling" ? `${HTTP_PATHS.poll}?cursor=${cursor}` : `${HTTP_PATHS.longPoll}?cursor=${cursor}&timeout=0`;
    if (name === "sse") {
      const refusedTicket = await fetch(`${running.baseUrl}${HTTP_PATHS.sseTicket}`, { method: "POST", headers: { ...auth, origin: FOREIGN_ORIGIN } });
      expect(refusedTicket.status).toBe(403);
      const ticket = await fetch(`${running.baseUrl}${HTTP_PATHS.sseTicket}`, { method: "POST", headers: auth });
      path = `${HTTP_PATHS.sse}?cursor=${cursor}&ticket=${((await ticket.json()) as TicketResponse).ticket}`;
    }
    const refused = await fetch(`${running.baseUrl}${path}`, { headers: { ...auth, origin: FOREIGN_ORIGIN } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();

    // The upstream of the HTTP transports too, with no effect.
    const before = await headOffset(topic);
    const command = await fetch(`${running.baseUrl}${HTTP_PATHS.commands}`, {
      method: "POST",
      headers: { ...auth, origin: FOREIGN_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ id: createCommandId(), type: "echo", payload: { text: "csrf" } }),
    });
    expect(command.status).toBe(403);
    expect(await headOffset(topic)).toBe(before);
  });
});

function connectSocket(token: string, origin: string): Promise<Socket<ServerToClientEvents, ClientToServerEvents>> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(running.baseUrl, {
    path: SOCKET_PATH,
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    auth: { token },
    extraHeaders: { origin },
  });
  return new Promise((resolve, reject) => {
    socket.on("connect", () => resolve(socket));
    socket.on("connect_error", (error) => {
      socket.disconnect();
      reject(error);
    });
  });
}

describe("server-side limits the SDK guards against", () => {
  test("an oversized command body is refused with 413 over HTTP and with an ack error over the socket", async () => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    const before = await headOffset(topic);
    const body = JSON.stringify({ id: createCommandId(), type: "echo", payload: { text: "x".repeat(MAX_COMMAND_BYTES) } });
    const http = await fetch(`${running.baseUrl}${HTTP_PATHS.commands}`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.token}`, "content-type": "application/json" },
      body,
    });
    expect(http.status).toBe(413);
    expect(JSON.stringify(await http.json())).toContain("payload_too_large");

    const socket = await connectSocket(session.token, ALLOWED_ORIGIN);
    const ack = (await socket.timeout(5000).emitWithAck("command", JSON.parse(body))) as CommandResult;
    socket.disconnect();
    expect(ack.ok).toBe(false);
    expect(!ack.ok && ack.error.code).toBe("payload_too_large");
    expect(await headOffset(topic)).toBe(before);
  });

  test("a token from a signed-out session stops the client with `unauthorized`", async () => {
    const session = await signIn(running.baseUrl);
    await fetch(`${running.baseUrl}${HTTP_PATHS.session}`, { method: "DELETE", headers: { authorization: `Bearer ${session.token}` } });
    for (const { name, options } of transports) {
      const client = testClient(running.baseUrl, session.token, name, options);
      const errors: unknown[] = [];
      client.on("error", (error) => errors.push(error));
      record(client, echoTopic(session.user.id), null);
      await waitFor(() => client.status === "closed", `${name} to stop`);
      expect((errors[0] as ProtocolError).code).toBe("unauthorized");
      client.close();
    }
  });
});
