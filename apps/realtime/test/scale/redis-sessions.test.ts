import { HTTP_PATHS, TicketResponse, echoTopic } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { signIn, testClient, transports, waitFor, type TestServer } from "../sdk/support/server";
import { openRawSse } from "../support/raw-sse";
import { redisInstances, type RedisInstances } from "./support/redis-instances";

// Sessions across two instances on Redis: a sign-out on A ends what the session holds open on B
// at once (not at B's next database re-check, a minute later), on every transport; an SSE ticket
// issued by A is single-use on both.
let cluster: RedisInstances;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  cluster = await redisInstances();
  // A database re-check far away: only the bus can end B's streams within the test's bound.
  a = await cluster.start("sessions-a", { sessionRevalidateMs: 600_000 });
  b = await cluster.start("sessions-b", { sessionRevalidateMs: 600_000 });
});
afterAll(async () => {
  await cluster?.stop();
});

describe.each(transports)("signing out on A, with a client on B over $name", ({ name, options }) => {
  test("ends the client's connection on B at once: it stops as signed out", async () => {
    const session = await signIn(a.baseUrl);
    const client = testClient(b.baseUrl, session.token, name, options);
    client.subscribe(echoTopic(session.user.id), () => {});
    await client.whenOpen();
    const signedOut = await fetch(`${a.baseUrl}${HTTP_PATHS.session}`, { method: "DELETE", headers: { authorization: `Bearer ${session.token}` } });
    expect(signedOut.status).toBeLessThan(300);
    const started = Date.now();
    await waitFor(() => client.status === "closed", "the client on B to stop", 3000);
    expect(Date.now() - started).toBeLessThan(3000);
    client.close();
  });
});

test("an SSE ticket issued on A is single-use across both instances", async () => {
  const session = await signIn(a.baseUrl);
  const issued = await fetch(`${a.baseUrl}${HTTP_PATHS.sseTicket}`, { method: "POST", headers: { authorization: `Bearer ${session.token}` } });
  const { ticket } = TicketResponse.parse(await issued.json());
  const url = (base: string) => `${base}/v1/sse?cursor=${echoTopic(session.user.id)}@&ticket=${ticket}`;
  const stream = openRawSse(url(b.baseUrl));
  expect((await stream.opened).statusCode).toBe(200);
  stream.destroy();
  expect((await fetch(url(a.baseUrl))).status).toBe(401);
  expect((await fetch(url(b.baseUrl))).status).toBe(401);
});
