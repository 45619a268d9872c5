import { randomUUID } from "node:crypto";
import { createDatabase, type Database } from "@repo/db";
import { CHAT_EVENTS, CommandResult, HTTP_PATHS, chatTopic } from "@repo/protocol";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";
import { chatFeature } from "../../src/features/chat/chat-feature";
import { createRedisConnection } from "../../src/hub/redis/redis-connection";
import { createRedisHub } from "../../src/hub/redis/redis-hub";
import { signIn, startTestServer, waitFor, type TestServer } from "../sdk/support/server";

// The same command (one id) reaching two instances at once — a retry after a lost answer, with
// no sticky sessions — runs once: one instance runs it, the other answers `unavailable`, and a
// resend gets the first result from its receipt. One message, one event.
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
  // Chat alone, with room for the test's sends (the send limit is shared by both instances on Redis).
  const features = [chatFeature({ sendLimit: { points: 1000, windowSeconds: 1 } })];
  return startTestServer({}, { db, redis, features, hub: createRedisHub({ redis, retention, keyPrefix }) });
}

beforeAll(async () => {
  db = await createDatabase({ pgliteDir: "memory" });
  a = await instance("commands-a");
  b = await instance("commands-b");
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await db?.close();
  for (const redis of connections) redis.disconnect();
});

async function post(server: TestServer, token: string, command: unknown): Promise<CommandResult> {
  const response = await fetch(`${server.baseUrl}${HTTP_PATHS.commands}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(command),
  });
  return CommandResult.parse(await response.json());
}

test("one command id sent to both instances at once runs once; the resend gets its result", async () => {
  const ada = await signIn(a.baseUrl, "Ada");
  const created = await post(a, ada.token, { id: randomUUID(), type: "chat.createRoom", payload: { name: `Twice ${randomUUID().slice(0, 6)}` } });
  if (!created.ok) throw new Error(created.error.message);
  const roomId = (created.result as { room: { id: string } }).room.id;
  const SENDS = 20;
  for (let i = 0; i < SENDS; i++) {
    const command = { id: randomUUID(), type: "chat.send", payload: { roomId, text: `message ${i}` } };
    const answers = await Promise.all([post(a, ada.token, command), post(b, ada.token, command)]);
    for (const answer of answers) if (!answer.ok) expect(answer.error.code).toBe("unavailable");
    expect(answers.some((answer) => answer.ok)).toBe(true);
    // The client's resend, wherever it lands, answers from the receipt: the same message.
    const resent = await post(i % 2 === 0 ? a : b, ada.token, command);
    const first = answers.find((answer) => answer.ok);
    expect(resent).toEqual(first);
  }
  const head = await a.server.hub.head(chatTopic(roomId));
  const log = await a.server.hub.read(chatTopic(roomId), { epoch: head.epoch, offset: 0 });
  const posted = log.kind === "events" ? log.events.filter((event) => event.type === CHAT_EVENTS.messageCreated) : [];
  expect(posted).toHaveLength(SENDS);
  expect(await db.prisma.chatMessage.count({ where: { roomId } })).toBe(SENDS);
});
