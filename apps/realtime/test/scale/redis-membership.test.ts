import { randomUUID } from "node:crypto";
import { createDatabase, type Database } from "@repo/db";
import { CHAT_EVENTS, ChatEvent, CommandResult, HTTP_PATHS, type ProtocolError, chatTopic } from "@repo/protocol";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createRedisConnection } from "../../src/hub/redis/redis-connection";
import { createRedisHub } from "../../src/hub/redis/redis-hub";
import { signIn, sleep, startTestServer, testClient, transports, waitFor, type TestServer } from "../sdk/support/server";

// Leaving a room on instance A stops delivery on instance B at once (the revocation travels on
// the cluster bus; B's membership cache forgets the answer), on every transport.
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const keyPrefix = `sb-test-${randomUUID().slice(0, 8)}:`;
const retention = { count: 1000, ageMs: 60_000 };
let db: Database;
let a: TestServer;
let b: TestServer;
const connections: Redis[] = [];

async function instance(name: string): Promise<TestServer> {
  const redis = createRedisConnection(REDIS_URL, name);
  connections.push(redis);
  await waitFor(() => redis.status === "ready", "Redis");
  return startTestServer({}, { db, redis, hub: createRedisHub({ redis, retention, keyPrefix }) });
}

async function command(server: TestServer, token: string, type: string, payload: unknown): Promise<unknown> {
  const response = await fetch(`${server.baseUrl}${HTTP_PATHS.commands}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ id: randomUUID(), type, payload }),
  });
  const result = CommandResult.parse(await response.json());
  if (!result.ok) throw new Error(`${type}: ${result.error.code} ${result.error.message}`);
  return result.result;
}

beforeAll(async () => {
  db = await createDatabase({ pgliteDir: "memory" });
  a = await instance("membership-a");
  b = await instance("membership-b");
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await db?.close();
  for (const redis of connections) redis.disconnect();
});

describe.each(transports)("a member reading a room on B over $name", ({ name, options }) => {
  test("leaves it on A: B stops delivering at once, and refuses to follow it again", async () => {
    const ada = await signIn(a.baseUrl, "Ada");
    const bob = await signIn(a.baseUrl, "Bob");
    const created = await command(a, ada.token, "chat.createRoom", { name: `Leave ${name} ${randomUUID().slice(0, 6)}` });
    const roomId = (created as { room: { id: string } }).room.id;
    await command(a, bob.token, "chat.join", { roomId });
    const topic = chatTopic(roomId);

    const client = testClient(b.baseUrl, bob.token, name, options);
    const texts: string[] = [];
    const refused: string[] = [];
    client.subscribe(topic, (event) => {
      const parsed = ChatEvent.safeParse(event);
      if (parsed.success && parsed.data.type === CHAT_EVENTS.messageCreated) texts.push(parsed.data.payload.message.text);
    }, { onError: (error: ProtocolError) => refused.push(error.code) });
    await client.whenOpen();
    await command(a, ada.token, "chat.send", { roomId, text: "before" });
    await waitFor(() => texts.includes("before"), "the message before the leave");

    await command(a, bob.token, "chat.leave", { roomId });
    const left = Date.now();
    await waitFor(() => refused.length > 0, "B to stop delivering the room", 3000);
    expect(refused).toEqual(["forbidden"]);
    expect(Date.now() - left).toBeLessThan(3000);
    await command(a, ada.token, "chat.send", { roomId, text: "after" });
    await sleep(300);
    expect(texts).toEqual(["before"]);

    // Following it again on B is refused at once, not after B's membership cache expires.
    const again: string[] = [];
    client.subscribe(topic, () => {}, { onError: (error: ProtocolError) => again.push(error.code) });
    await waitFor(() => again.length > 0, "the new subscription to be refused", 3000);
    expect(again).toEqual(["forbidden"]);
    client.close();
  });
});
