import { randomUUID } from "node:crypto";
import { CHAT_EVENTS, ChatEvent, ChatPresenceResponse, chatPaths, chatTopic, type EventEnvelope } from "@repo/protocol";
import { afterAll, beforeAll, expect, test } from "vitest";
import { signIn, sleep, testClient, waitFor, type TestServer } from "../sdk/support/server";
import { command, redisInstances, type RedisInstances } from "./support/redis-instances";

// Presence across two instances on Redis: a user reading a room through both is present once
// (one presence.joined), stays present while either instance serves them, leaves once; the
// room's presence read on either instance lists readers of both; an instance that dies without
// a word has its readers' leaves announced once its leases expire.
const TTL_MS = 1000;
let cluster: RedisInstances;
let a: TestServer;
let b: TestServer;

async function presenceEvents(roomId: string): Promise<Array<[string, string]>> {
  const topic = chatTopic(roomId);
  const head = await a.server.hub.head(topic);
  const log = await a.server.hub.read(topic, { epoch: head.epoch, offset: 0 });
  const events: EventEnvelope[] = log.kind === "events" ? log.events : [];
  return events
    .flatMap((event) => {
      const parsed = ChatEvent.safeParse(event);
      return parsed.success && (parsed.data.type === CHAT_EVENTS.presenceJoined || parsed.data.type === CHAT_EVENTS.presenceLeft)
        ? [[parsed.data.type, parsed.data.payload.user.name] satisfies [string, string]]
        : [];
    });
}

async function readers(server: TestServer, token: string, roomId: string): Promise<string[]> {
  const response = await fetch(`${server.baseUrl}${chatPaths.presence(roomId)}`, { headers: { authorization: `Bearer ${token}` } });
  return ChatPresenceResponse.parse(await response.json()).users.map((user) => user.name).sort();
}

beforeAll(async () => {
  cluster = await redisInstances();
  a = await cluster.start("presence-a", { presenceTtlMs: TTL_MS });
  b = await cluster.start("presence-b", { presenceTtlMs: TTL_MS });
});
afterAll(async () => {
  await cluster?.stop();
});

test("one reader through two instances is present once; readers of both are listed on each; a dead instance's readers leave once", async () => {
  const ada = await signIn(a.baseUrl, "Ada");
  const bob = await signIn(a.baseUrl, "Bob");
  const { room } = (await command(a, ada.token, "chat.createRoom", { name: `Presence ${randomUUID().slice(0, 6)}` })) as { room: { id: string } };
  await command(a, bob.token, "chat.join", { roomId: room.id });
  const topic = chatTopic(room.id);

  const adaOnA = testClient(a.baseUrl, ada.token, "sse");
  const adaOnB = testClient(b.baseUrl, ada.token, "websocket");
  const bobOnB = testClient(b.baseUrl, bob.token, "websocket");
  for (const client of [adaOnA, adaOnB, bobOnB]) client.subscribe(topic, () => {});
  await Promise.all([adaOnA.whenOpen(), adaOnB.whenOpen(), bobOnB.whenOpen()]);
  await waitFor(async () => (await presenceEvents(room.id)).length === 2, "two joins");
  const joins = (await presenceEvents(room.id)).map(([type, name]) => `${type} ${name}`).sort();
  expect(joins).toEqual([`${CHAT_EVENTS.presenceJoined} Ada`, `${CHAT_EVENTS.presenceJoined} Bob`]);
  expect(await readers(a, ada.token, room.id)).toEqual(["Ada", "Bob"]);
  expect(await readers(b, ada.token, room.id)).toEqual(["Ada", "Bob"]);

  // Ada stops reading on A but still reads on B: still present, no leave.
  adaOnA.close();
  await sleep(TTL_MS * 3);
  expect((await presenceEvents(room.id)).filter(([type]) => type === CHAT_EVENTS.presenceLeft)).toEqual([]);
  expect(await readers(a, ada.token, room.id)).toEqual(["Ada", "Bob"]);

  // B dies without a word (its leases stop being renewed): Ada and Bob each leave once, announced by A.
  adaOnB.close();
  bobOnB.close();
  await b.stop();
  await waitFor(async () => (await presenceEvents(room.id)).filter(([type]) => type === CHAT_EVENTS.presenceLeft).length === 2, "two leaves", 10_000);
  await sleep(TTL_MS * 2);
  const leaves = (await presenceEvents(room.id)).filter(([type]) => type === CHAT_EVENTS.presenceLeft).map(([, name]) => name).sort();
  expect(leaves).toEqual(["Ada", "Bob"]);
  expect(await readers(a, ada.token, room.id)).toEqual([]);
});
