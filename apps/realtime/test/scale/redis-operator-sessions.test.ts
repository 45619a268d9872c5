import { ErrorResponse, OperatorSessionResponse, flagsAdminPaths } from "@repo/protocol";
import { afterAll, beforeAll, expect, test } from "vitest";
import { waitFor, type TestServer } from "../sdk/support/server";
import { call, operatorSignIn } from "../flags/admin-support";
import { REDIS_URL, redisInstances, type RedisInstances } from "./support/redis-instances";
import { createRedisConnection } from "../../src/hub/redis/redis-connection";

// An operator session on two instances sharing one Redis: the cookie A issued works on B, and a
// sign-out on A holds on B at once (the signed-out session is a key in Redis, not a message that
// could be missed), until the session would have expired anyway.
const OPERATOR_TOKEN = "operator-token-for-cluster-session-tests-0123456789";
let cluster: RedisInstances;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  cluster = await redisInstances();
  a = await cluster.start("operator-a", { operatorToken: OPERATOR_TOKEN });
  b = await cluster.start("operator-b", { operatorToken: OPERATOR_TOKEN });
});
afterAll(async () => {
  await cluster?.stop();
});

test("a sign-out on A ends the operator session on B at once; the key expires with the session", async () => {
  const signedIn = await operatorSignIn(a, OPERATOR_TOKEN);
  expect(signedIn.status).toBe(201);
  const cookie = signedIn.cookie!;
  const expiresAt = Date.parse(OperatorSessionResponse.parse(signedIn.json).expiresAt ?? "");

  expect((await call(b, "GET", flagsAdminPaths.flags, undefined, cookie)).status).toBe(200);
  expect(OperatorSessionResponse.parse((await call(b, "GET", flagsAdminPaths.session, undefined, cookie)).json)).toMatchObject({ operator: true, via: "session" });

  expect((await call(a, "DELETE", flagsAdminPaths.session, undefined, cookie)).status).toBe(204);
  for (const server of [b, a]) {
    const refused = await call(server, "GET", flagsAdminPaths.flags, undefined, cookie);
    expect([refused.status, ErrorResponse.parse(refused.json).error.code]).toEqual([401, "unauthorized"]);
    expect(OperatorSessionResponse.parse((await call(server, "GET", flagsAdminPaths.session, undefined, cookie)).json)).toMatchObject({ operator: false });
  }

  // One key for the signed-out session, expiring when the session would have.
  const redis = createRedisConnection(REDIS_URL, "operator-test-reader");
  try {
    await waitFor(() => redis.status === "ready", "Redis");
    const keys = await redis.keys(`${cluster.keyPrefix}operator-signed-out:*`);
    expect(keys).toHaveLength(1);
    const expiresIn = await redis.pttl(keys[0]!);
    expect(Math.abs(Date.now() + expiresIn - expiresAt)).toBeLessThan(5_000);
  } finally {
    redis.disconnect();
  }
});
