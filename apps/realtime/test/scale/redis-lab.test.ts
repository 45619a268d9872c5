import { LAB_EVENTS, LabStreamsResponse, labPaths, type LabStream, type Position } from "@repo/protocol";
import { afterAll, beforeAll, expect, test } from "vitest";
import { defaultFeatures } from "../../src/features";
import { labFeature } from "../../src/features/lab/lab-feature";
import { signIn, sleep, testClient, waitFor, type TestServer } from "../sdk/support/server";
import { command, redisInstances, type RedisInstances } from "./support/redis-instances";

// A lab stream lives on the instance that started it; its reader may be served by another
// one (presence is shared on Redis, and announced where the reader is). The stream must go on
// while that reader reads, past every grace period, and end once they leave.
let cluster: RedisInstances;
let a: TestServer;
let b: TestServer;

const features = () => [
  ...defaultFeatures().filter((feature) => feature.name !== "lab"),
  labFeature({ startGraceMs: 600, awayGraceMs: 300, startLimit: { points: 1_000, windowSeconds: 1 } }),
];

beforeAll(async () => {
  cluster = await redisInstances();
  a = await cluster.start("lab-a", { presenceTtlMs: 500 }, { features: features() });
  b = await cluster.start("lab-b", { presenceTtlMs: 500 }, { features: features() });
});
afterAll(async () => {
  await cluster?.stop();
});

async function streamsOn(server: TestServer, token: string): Promise<number> {
  const response = await fetch(`${server.baseUrl}${labPaths.streams}`, { headers: { authorization: `Bearer ${token}` } });
  return LabStreamsResponse.parse(await response.json()).streams.length;
}

test("a stream started on one instance and read through another goes on while read, and ends once its reader leaves", async () => {
  const ada = await signIn(a.baseUrl, "Ada");
  const started = (await command(a, ada.token, "lab.start", { rate: 20, payloadBytes: 16, burstiness: 0 })) as LabStream & { position: Position };
  const reader = testClient(b.baseUrl, ada.token, "websocket");
  let messages = 0;
  reader.subscribe(started.topic, (event) => void (event.type === LAB_EVENTS.message && messages++), { cursor: started.position });
  await waitFor(() => messages >= 10, "messages through the other instance");
  // Past the start grace and several away checks: still running on A.
  await sleep(1_500);
  expect(await streamsOn(a, ada.token)).toBe(1);
  const before = messages;
  await waitFor(() => messages > before, "messages still flowing");
  reader.close();
  await waitFor(async () => (await streamsOn(a, ada.token)) === 0, "the stream to end once its reader left", 5_000);
});
