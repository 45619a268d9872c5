import type { ProtocolError, Topic } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { defineFeature } from "../../src/features/feature";
import { record, signIn, sleep, startTestServer, testClient, transports, waitFor, type TestServer } from "./support/server";

/**
 * A stand-in feature on the `echo` kind (the default echo feature is not
 * registered here): topics readable by an allow-list the test edits, with the
 * server's revocation hook.
 */
const allowed = new Set<string>();
let revokeRead: (userId: string, topic: Topic) => void = () => {
  throw new Error("feature not created");
};
const allowListFeature = defineFeature({
  name: "test-allow-list",
  create(context) {
    revokeRead = (userId, topic) => context.revokeRead(userId, topic);
    return { topics: { echo: (user, id) => allowed.has(`${user.id}/${id}`) } };
  },
});

let running: TestServer;
beforeAll(async () => {
  running = await startTestServer({}, { features: [allowListFeature] });
});
afterAll(async () => {
  await running?.stop();
});

describe.each(transports)("read access revoked mid-stream over $name", ({ name, options }) => {
  test("ends that subscription with `forbidden`; the others carry on", async () => {
    const session = await signIn(running.baseUrl);
    const [kept, lost] = [`echo:${name}-kept`, `echo:${name}-lost`];
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
