import { randomUUID } from "node:crypto";
import { CHAT_EVENTS, CommandResult, HTTP_PATHS, chatTopic } from "@repo/protocol";
import { afterAll, beforeAll, expect, test } from "vitest";
import { chatFeature } from "../../src/features/chat/chat-feature";
import { signIn, type TestServer } from "../sdk/support/server";
import { redisInstances, type RedisInstances } from "./support/redis-instances";

// The same command (one id) reaching two instances at once — a retry after a lost answer, with
// no sticky sessions — runs once: one instance runs it, the other answers `unavailable`, and a
// resend gets the first result from its receipt. One message, one event.
let cluster: RedisInstances;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  cluster = await redisInstances();
  // Chat alone, with room for the test's sends (the send limit is shared by both instances on Redis).
  const features = [chatFeature({ sendLimit: { points: 1000, windowSeconds: 1 } })];
  a = await cluster.start("commands-a", {}, { features });
  b = await cluster.start("commands-b", {}, { features });
});
afterAll(async () => {
  await cluster?.stop();
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
  expect(await cluster.db.prisma.chatMessage.count({ where: { roomId } })).toBe(SENDS);
});
