import { HTTP_PATHS, PollResponse, echoTopic, encodeCursor } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { signIn, type TestServer } from "../sdk/support/server";
import { redisInstances, type RedisInstances } from "./support/redis-instances";

// Polls on the Redis hub carry each event once on the wire, not only once after the SDK's
// de-duplication: an answer's cursor covers exactly the events it carries, even when live
// events arrive while the answer is being put together (its Redis reads take a round trip).
// Raw HTTP, no SDK, a publisher running flat out beside the polls.
const EVENTS = 400;
let cluster: RedisInstances;
let server: TestServer;

beforeAll(async () => {
  cluster = await redisInstances();
  server = await cluster.start("poll-once");
});
afterAll(async () => {
  await cluster?.stop();
});

describe.each([
  { name: "long-polling", path: HTTP_PATHS.longPoll, query: "&timeout=2000" },
  { name: "polling", path: HTTP_PATHS.poll, query: "" },
])("$name on Redis", ({ path, query }) => {
  test(`${EVENTS} events published flat out arrive once each, in order, across the polls`, async () => {
    const session = await signIn(server.baseUrl, "Poller");
    const topic = echoTopic(session.user.id);
    const head = await server.server.hub.head(topic);
    let cursor = encodeCursor({ [topic]: { epoch: head.epoch, offset: head.offset } });
    const publishing = (async () => {
      for (let n = 0; n < EVENTS; n++) {
        await server.server.hub.publish(topic, "echo", { n });
        if (n % 4 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const seen: number[] = [];
    const deadline = Date.now() + 20_000;
    while (seen.length < EVENTS && Date.now() < deadline) {
      const response = await fetch(`${server.baseUrl}${path}?cursor=${encodeURIComponent(cursor)}${query}`, { headers: { authorization: `Bearer ${session.token}` } });
      if (response.status === 304) continue;
      expect(response.status).toBe(200);
      const answer = PollResponse.parse(await response.json());
      for (const event of answer.events) seen.push(event.offset);
      cursor = answer.cursor;
    }
    await publishing;
    const first = head.offset + 1;
    expect(seen.length, "events on the wire").toBe(EVENTS);
    expect(seen).toEqual(Array.from({ length: EVENTS }, (_, i) => first + i));
  });
});
