import type { RealtimeClient } from "@repo/client";
import { ErrorResponse, FLAGS_TOPIC, FlagsPreviewResponse, NO_VARIANT, flagsAdminPaths, type SessionResponse } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { record, signIn, startTestServer, testClient, transports, waitFor, type TestServer } from "../sdk/support/server";
import { call } from "./admin-support";
import { chatOnSse, defaultDefinitions } from "./support";

const OPERATOR_TOKEN = "operator-token-for-preview-tests-0123456789";
const BEARER = { authorization: `Bearer ${OPERATOR_TOKEN}` };
const USERS = 24;
/** Users whose name starts with "Beta": a rule on the name (part of the evaluation context) targets them. */
const BETA = 5;

/** transport.chat 30% on SSE, and transport.game on long polling for users named "Beta …". */
function proposed() {
  const document = defaultDefinitions();
  const game = document.flags["transport.game"];
  return {
    ...document,
    flags: {
      ...document.flags,
      ...chatOnSse(30),
      "transport.game": { ...game, targeting: { if: [{ starts_with: [{ var: "name" }, "Beta"] }, "long-polling", "default"] } },
    },
  };
}

async function preview(server: TestServer, definitions: unknown) {
  const answer = await call(server, "POST", flagsAdminPaths.preview, { definitions }, BEARER);
  if (answer.status !== 200) throw new Error(`preview: ${answer.status} ${JSON.stringify(answer.json)}`);
  return FlagsPreviewResponse.parse(answer.json);
}

describe.each(transports)("flag preview, users on $name", ({ name: transport, options }) => {
  let service: TestServer;
  let users: SessionResponse[];
  const clients: RealtimeClient[] = [];

  beforeAll(async () => {
    service = await startTestServer({ operatorToken: OPERATOR_TOKEN });
    users = [];
    for (let i = 0; i < USERS; i++) users.push(await signIn(service.baseUrl, i < BETA ? `Beta ${i}` : `User ${i}`));
    // Every user connected, the first one in two tabs (counted once).
    for (const user of [...users, users[0]!]) {
      const client = testClient(service.baseUrl, user.token, transport, options);
      record(client, FLAGS_TOPIC, null);
      clients.push(client);
    }
    await Promise.all(clients.map((client) => client.whenOpen()));
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) client.close();
    await service.stop();
  });

  test("counts each connected user once and predicts exactly who a save then moves; nothing changes until it is saved", async () => {
    await waitFor(async () => (await preview(service, proposed())).connectedUsers === USERS, `${USERS} users connected`, 10_000);
    const etag = service.server.flags.store.etag;
    const forecast = await preview(service, proposed());
    expect(forecast.flagsChanged.sort()).toEqual(["transport.chat", "transport.game"]);
    expect(service.server.flags.store.etag).toBe(etag);

    const chat = forecast.flags.find((flag) => flag.flag === "transport.chat");
    const game = forecast.flags.find((flag) => flag.flag === "transport.game");
    if (!chat || !game) throw new Error(`missing flags in ${JSON.stringify(forecast)}`);
    expect(chat.before).toEqual({ default: USERS });
    expect(chat.affected).toBeGreaterThan(0);
    expect(chat.affected).toBeLessThan(USERS);
    expect(chat.after).toEqual({ sse: chat.affected, default: USERS - chat.affected });
    expect(chat.moves).toEqual([{ from: "default", to: "sse", users: chat.affected }]);
    // A rule on the name reaches exactly the users so named: the preview evaluates with the service's context.
    expect(game).toMatchObject({ affected: BETA, before: { default: USERS }, after: { "long-polling": BETA, default: USERS - BETA } });
    expect(game.moves).toEqual([{ from: "default", to: "long-polling", users: BETA }]);

    // The oracle: save it, and ask the live service who is where now.
    const saved = await call(service, "PUT", flagsAdminPaths.flags, { definitions: proposed(), reason: "preview test" }, { ...BEARER, "if-match": `"${etag}"` });
    expect(saved.status).toBe(200);
    try {
      const onSse = (await Promise.all(users.map((user) => service.server.flags.transportFor("chat", user.user)))).filter((t) => t === "sse").length;
      const onLongPolling = (await Promise.all(users.map((user) => service.server.flags.transportFor("game", user.user)))).filter((t) => t === "long-polling").length;
      expect({ onSse, onLongPolling }).toEqual({ onSse: chat.affected, onLongPolling: BETA });
      // Previewing what is in force changes nothing.
      expect(await preview(service, proposed())).toEqual({ connectedUsers: USERS, flagsChanged: [], flags: [] });
    } finally {
      const undone = await call(service, "POST", flagsAdminPaths.undo, { reason: "put back" }, { ...BEARER, "if-match": `"${service.server.flags.store.etag}"` });
      expect(undone.status).toBe(200);
    }
  });

  test("a removed or disabled flag is previewed as everyone moving to none; invalid definitions are PUT's own validation error", async () => {
    const document = defaultDefinitions();
    const withExtra = { ...document, flags: { ...document.flags, "lab.banner": { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "on" } } };
    const added = await preview(service, withExtra);
    expect(added.flags).toEqual([{ flag: "lab.banner", affected: USERS, before: { [NO_VARIANT]: USERS }, after: { on: USERS }, moves: [{ from: NO_VARIANT, to: "on", users: USERS }] }]);

    const invalid = { ...document, flags: { ...document.flags, "game.tick-hz": { state: "ENABLED", variants: { fast: 999 }, defaultVariant: "fast" } } };
    const refused = await call(service, "POST", flagsAdminPaths.preview, { definitions: invalid }, BEARER);
    const put = await call(service, "PUT", flagsAdminPaths.flags, { definitions: invalid, reason: "x" }, { ...BEARER, "if-match": `"${service.server.flags.store.etag}"` });
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual(put.json);
    expect(ErrorResponse.parse(refused.json).error).toMatchObject({ code: "validation", issues: [{ path: ["definitions"] }] });
  });

  // Polling users count for a while after their last poll (between polls nothing is open).
  test.skipIf(transport === "polling" || transport === "long-polling")("users who disconnect are no longer counted", async () => {
    for (const client of clients.splice(0, 8)) client.close();
    // The first user still has a second tab open: seven users left.
    await waitFor(async () => (await preview(service, proposed())).connectedUsers === USERS - 7, `${USERS - 7} users connected`, 10_000);
  });
});
