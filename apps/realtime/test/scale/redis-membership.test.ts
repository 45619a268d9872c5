import { randomUUID } from "node:crypto";
import { CHAT_EVENTS, ChatEvent, type ProtocolError, chatTopic } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { signIn, sleep, testClient, transports, waitFor, type TestServer } from "../sdk/support/server";
import { command, redisInstances, type RedisInstances } from "./support/redis-instances";

// Leaving a room on instance A stops delivery on instance B at once (the revocation travels on
// the cluster bus; B's membership cache forgets the answer), on every transport.
let cluster: RedisInstances;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  cluster = await redisInstances();
  a = await cluster.start("membership-a");
  b = await cluster.start("membership-b");
});
afterAll(async () => {
  await cluster?.stop();
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
