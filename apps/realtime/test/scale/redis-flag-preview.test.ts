import type { RealtimeClient } from "@repo/client";
import { FLAGS_TOPIC, FlagsPreviewResponse, flagsAdminPaths } from "@repo/protocol";
import { afterAll, beforeAll, expect, test } from "vitest";
import { call } from "../flags/admin-support";
import { chatOnSse, defaultDefinitions } from "../flags/support";
import { record, signIn, testClient, waitFor, type TestServer } from "../sdk/support/server";
import { redisInstances, type RedisInstances } from "./support/redis-instances";

// The flag preview on two instances sharing one Redis counts the whole audience: users connected
// to A and users connected to B (a user on both once), whichever instance the operator asks.
const OPERATOR_TOKEN = "operator-token-for-cluster-preview-tests-0123456789";
const BEARER = { authorization: `Bearer ${OPERATOR_TOKEN}` };
let cluster: RedisInstances;
let a: TestServer;
let b: TestServer;
const clients: RealtimeClient[] = [];

beforeAll(async () => {
  cluster = await redisInstances();
  a = await cluster.start("preview-a", { operatorToken: OPERATOR_TOKEN });
  b = await cluster.start("preview-b", { operatorToken: OPERATOR_TOKEN });
});
afterAll(async () => {
  for (const client of clients) client.close();
  await cluster?.stop();
});

async function connectedPerPreview(server: TestServer): Promise<number> {
  const answer = await call(server, "POST", flagsAdminPaths.preview, { definitions: { ...defaultDefinitions(), flags: { ...defaultDefinitions().flags, ...chatOnSse(50) } } }, BEARER);
  return FlagsPreviewResponse.parse(answer.json).connectedUsers;
}

test("counts the users of every instance once, asked on either; a stopped instance's users drop out", async () => {
  const onA = await Promise.all([0, 1, 2].map((i) => signIn(a.baseUrl, `On A ${i}`)));
  const onB = await Promise.all([0, 1].map((i) => signIn(a.baseUrl, `On B ${i}`)));
  // onA[0] is on both instances: one user.
  for (const [server, user] of [...onA.map((user) => [a, user] as const), ...onB.map((user) => [b, user] as const), [b, onA[0]!] as const]) {
    const client = testClient(server.baseUrl, user.token, "websocket");
    record(client, FLAGS_TOPIC, null);
    clients.push(client);
  }
  await Promise.all(clients.map((client) => client.whenOpen()));
  // Each instance writes its list every 5 s: within a few seconds both see all five.
  for (const server of [a, b]) await waitFor(async () => (await connectedPerPreview(server)) === 5, "five users in the preview", 12_000);

  // B stops (its list goes with it): A counts its own three.
  await b.stop();
  expect(await connectedPerPreview(a)).toBe(3);
});
