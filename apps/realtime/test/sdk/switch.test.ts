import { TRANSPORT_NAMES, echoTopic } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { range, record, signIn, sleep, startTestServer, testClient, transports, waitFor, type TestServer } from "./support/server";

let running: TestServer;
beforeAll(async () => {
  running = await startTestServer();
});
afterAll(async () => {
  await running?.stop();
});

const optionsOf = (name: string) => transports.find((row) => row.name === name)!.options;
const pairs = TRANSPORT_NAMES.flatMap((from) => TRANSPORT_NAMES.filter((to) => to !== from).map((to) => [from, to] as const));

describe("live transport switch", () => {
  test("covers every ordered pair", () => {
    expect(pairs).toHaveLength(12);
  });

  test.each(pairs)("%s → %s mid-stream: 0 lost, 0 duplicated, order kept", async (from, to) => {
    const session = await signIn(running.baseUrl);
    const topic = echoTopic(session.user.id);
    const head = await running.server.hub.head(topic);
    const client = testClient(running.baseUrl, session.token, from, { ...optionsOf(from), ...optionsOf(to) });
    const seen = record(client, topic, { epoch: head.epoch, offset: head.offset });
    await client.whenOpen();

    const TOTAL = 300;
    let switchedAt = 0;
    for (let n = 1; n <= TOTAL; n++) {
      await running.server.hub.publish(topic, "echo", { n });
      if (n % 3 === 0) await sleep(1);
      if (n === TOTAL / 2) {
        // Switch while events are flowing, once the old transport has delivered some of them.
        await waitFor(() => seen.offsets.length > 0, "some events on the first transport");
        switchedAt = seen.offsets.length;
        client.switchTransport(to);
      }
    }
    await waitFor(() => seen.offsets.length >= TOTAL, `${TOTAL} events (got ${seen.offsets.length})`);
    await sleep(50);

    expect(switchedAt).toBeGreaterThan(0);
    expect(switchedAt).toBeLessThan(TOTAL);
    expect(seen.offsets).toEqual(range(head.offset, TOTAL));
    expect(client.metrics().transport).toBe(to);
    expect(client.status).toBe("open");
    // The old transport let go of its stream / socket / held request.
    await waitFor(async () => (await running.gauge(`switchboard_open{transport="${from}"}`)) === 0, `${from} to let go`);
    client.close();
  });
});
