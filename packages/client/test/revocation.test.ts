import type { ProtocolError, Topic } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { record, signIn, sleep, startTestServer, testClient, transports, waitFor, type Feature, type TestServer } from "./support/server";

/** A stand-in feature: `game:<id>` topics readable by an allow-list the test edits, with the server's revocation hook. */
const allowed = new Set<string>();
let revokeRead: (userId: string, topic: Topic) => void = () => {
  throw new Error("feature not started");
};
const gameFeature: Feature = {
  name: "test-games",
  topics: { game: (user, id) => allowed.has(`${user.id}/${id}`) },
  start(context) {
    revokeRead = (userId, topic) => context.revokeRead(userId, topic);
    return () => {};
  },
};

let running: TestServer;
beforeAll(async () => {
  running = await startTestServer({}, { features: [gameFeature] });
});
afterAll(async () => {
  await running?.stop();
});

describe.each(transports)("read access revoked mid-stream over $name", ({ name, options }) => {
  test("ends that subscription with `forbidden`; the others carry on", async () => {
    const session = await signIn(running.baseUrl);
    const [kept, lost] = [`game:${name}-kept`, `game:${name}-lost`];
    allowed.add(`${session.user.id}/${name}-kept`).add(`${session.user.id}/${name}-lost`);
    const client = testClient(running.baseUrl, session.token, name, options);
    const keptSeen = record(client, kept, null);
    const lostSeen = record(client, lost, null);
    await client.whenOpen();
    await sleep(50);
    await running.server.hub.publish(kept, "move", { n: 1 });
    await running.server.hub.publish(lost, "move", { n: 1 });
    await waitFor(() => keptSeen.offsets.length === 1 && lostSeen.offsets.length === 1, "events on both topics");

    allowed.delete(`${session.user.id}/${name}-lost`);
    revokeRead(session.user.id, lost);
    await waitFor(() => lostSeen.errors.length === 1, "the refusal of the revoked topic");
    expect((lostSeen.errors[0] as ProtocolError).code).toBe("forbidden");
    expect(Object.keys(client.cursors())).toEqual([kept]);

    await running.server.hub.publish(kept, "move", { n: 2 });
    await running.server.hub.publish(lost, "move", { n: 2 });
    await waitFor(() => keptSeen.offsets.length === 2, "the kept topic's next event");
    expect(lostSeen.offsets).toEqual([1]);
    expect(keptSeen.errors).toEqual([]);
    expect(client.status).toBe("open");
    client.close();
  });
});
