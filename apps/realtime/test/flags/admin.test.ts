import { fc, test as fcTest } from "@fast-check/vitest";
import { createDatabase, type Database } from "@repo/db";
import { ErrorResponse, FLAGS_TOPIC, FlagChangesResponse, FlagsAdminResponse, FlagsUpdateResponse, flagsAdminPaths } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { record, signIn, startTestServer, testClient, waitFor, type TestServer } from "../sdk/support/server";
import { junkJsonText, notJsonText } from "../fuzz/support/json-arbitraries";
import { chatOnSse, defaultDefinitions } from "./support";

const OPERATOR_TOKEN = "operator-token-for-flag-tests-0123456789";
const BEARER = { authorization: `Bearer ${OPERATOR_TOKEN}` };

let db: Database;
let first: TestServer;
let second: TestServer;

beforeAll(async () => {
  db = await createDatabase({ pgliteDir: "memory" });
  // Two instances on one database: what one saves, the other follows.
  first = await startTestServer({ operatorToken: OPERATOR_TOKEN }, { db });
  second = await startTestServer({ operatorToken: OPERATOR_TOKEN }, { db });
});
afterAll(async () => {
  await first.stop();
  await second.stop();
  await db.close();
});

async function admin(server: TestServer, method: string, path: string, body?: unknown, headers: Record<string, string> = BEARER) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text === "" ? undefined : (JSON.parse(text) as unknown), etag: response.headers.get("etag") };
}

const current = async (server: TestServer) => FlagsAdminResponse.parse((await admin(server, "GET", flagsAdminPaths.flags)).json);
const withChat = (percent: number) => ({ ...defaultDefinitions(), flags: { ...defaultDefinitions().flags, ...chatOnSse(percent) } });
const rows = async () => ({ saved: await db.prisma.flagDefinitions.count(), changes: await db.prisma.flagChange.count() });

describe("flag administration", () => {
  test("is the operator's only: no secret or a wrong one is 401, a guest session 403; a service without OPERATOR_TOKEN refuses with 403", async () => {
    const ada = await signIn(first.baseUrl, "Ada");
    const refused: Array<[Record<string, string>, number]> = [
      [{}, 401],
      [{ authorization: `Bearer ${OPERATOR_TOKEN}x` }, 401],
      [{ authorization: `Bearer ${ada.token}` }, 403],
    ];
    for (const [headers, status] of refused) {
      for (const [method, path] of [["GET", flagsAdminPaths.flags], ["PUT", flagsAdminPaths.flags], ["GET", flagsAdminPaths.changes], ["POST", flagsAdminPaths.undo], ["POST", flagsAdminPaths.preview]] as const) {
        const answer = await admin(first, method, path, method === "GET" ? undefined : { reason: "x" }, headers);
        expect([method, path, answer.status]).toEqual([method, path, status]);
      }
    }
    const closed = await startTestServer({}, { db });
    try {
      expect((await admin(closed, "GET", flagsAdminPaths.flags)).status).toBe(403);
    } finally {
      await closed.stop();
    }
  });

  test("an edit is validated, checked against the etag it edited, saved with its audit entry, live here and on the other instance", async () => {
    const before = await current(first);
    expect(before.source).toBe("file");
    const noEtag = await admin(first, "PUT", flagsAdminPaths.flags, { definitions: withChat(100), reason: "try" });
    expect(noEtag.status).toBe(400);
    const stale = await admin(first, "PUT", flagsAdminPaths.flags, { definitions: withChat(100), reason: "try" }, { ...BEARER, "if-match": '"not-it"' });
    expect(stale.status).toBe(409);
    const invalid = { ...withChat(100), flags: { ...withChat(100).flags, "game.tick-hz": { state: "ENABLED", variants: { a: 999 }, defaultVariant: "a" } } };
    const refused = await admin(first, "PUT", flagsAdminPaths.flags, { definitions: invalid, reason: "too fast" }, { ...BEARER, "if-match": `"${before.etag}"` });
    expect(refused.status).toBe(400);
    expect(ErrorResponse.parse(refused.json).error.issues?.[0]?.message).toMatch(/\/flags\/game\.tick-hz\/variants\/a/);
    expect(await rows()).toEqual({ saved: 0, changes: 0 });

    const ada = await signIn(first.baseUrl, "Ada");
    const client = testClient(first.baseUrl, ada.token, "websocket");
    try {
      const heard = record(client, FLAGS_TOPIC, null);
      await client.whenOpen();
      const saved = await admin(first, "PUT", flagsAdminPaths.flags, { definitions: withChat(100), reason: "everyone on SSE for chat" }, { ...BEARER, "if-match": `"${before.etag}"` });
      expect(saved.status).toBe(200);
      expect(FlagsUpdateResponse.parse(saved.json)).toMatchObject({ flagsChanged: ["transport.chat"] });
      expect(await rows()).toEqual({ saved: 1, changes: 1 });
      expect(await first.server.flags.transportFor("chat", ada.user)).toBe("sse");
      await waitFor(() => heard.payloads.length >= 1, "flags.changed");
      // The other instance follows the saved row within its sync interval (1 s).
      const savedAt = Date.now();
      await waitFor(async () => (await second.server.flags.transportFor("chat", ada.user)) === "sse", "the second instance following", 2000);
      expect(Date.now() - savedAt).toBeLessThan(2000);
      const after = await current(second);
      expect(after).toMatchObject({ source: "database", updatedBy: "operator (token)", etag: first.server.flags.store.etag });

      // A restart comes up on what was saved, not on the file.
      const restarted = await startTestServer({ operatorToken: OPERATOR_TOKEN }, { db });
      try {
        expect(await restarted.server.flags.transportFor("chat", ada.user)).toBe("sse");
      } finally {
        await restarted.stop();
      }
    } finally {
      client.close();
    }
  });

  test("the audit log says who, when, why, before and after; undo puts the last change back, and is audited too", async () => {
    const log = FlagChangesResponse.parse((await admin(first, "GET", `${flagsAdminPaths.changes}?limit=5`)).json);
    expect(log.changes).toHaveLength(1);
    expect(log.changes[0]).toMatchObject({ actor: "operator (token)", reason: "everyone on SSE for chat", flagsChanged: ["transport.chat"] });
    expect(JSON.stringify(log.changes[0]!.after)).toContain('"sse",100');

    const { etag } = await current(first);
    const undone = await admin(first, "POST", flagsAdminPaths.undo, { reason: "too many on SSE" }, { ...BEARER, "if-match": `"${etag}"` });
    expect(undone.status).toBe(200);
    const someone = { id: "0197a0c0-0000-7000-8000-000000000001" };
    expect(await first.server.flags.transportFor("chat", someone)).toBe("websocket");
    await waitFor(async () => (await second.server.flags.transportFor("chat", someone)) === "websocket", "the undo on the second instance", 2000);
    const newest = FlagChangesResponse.parse((await admin(first, "GET", flagsAdminPaths.changes)).json).changes[0];
    expect(newest).toMatchObject({ reason: "Undo: too many on SSE", flagsChanged: ["transport.chat"] });
    // Undoing again would undo the undo only if asked with the etag in force; a stale one is refused.
    expect((await admin(first, "POST", flagsAdminPaths.undo, { reason: "again" }, { ...BEARER, "if-match": `"${etag}"` })).status).toBe(409);
  });

  fcTest.prop([fc.oneof(junkJsonText, notJsonText, fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify({ definitions: value, reason: "fuzz" })))], { numRuns: 40 })(
    "hostile bodies are typed refusals and change nothing",
    async (body) => {
      const before = await rows();
      const { etag } = await current(first);
      const answer = await admin(first, "PUT", flagsAdminPaths.flags, body, { ...BEARER, "content-type": "application/json", "if-match": `"${etag}"` });
      if (answer.status === 200) throw new Error(`accepted ${body.slice(0, 200)}`);
      expect([400, 413, 415]).toContain(answer.status);
      expect(ErrorResponse.safeParse(answer.json).success).toBe(true);
      expect(await rows()).toEqual(before);
      expect(first.server.flags.store.etag).toBe(etag);
    },
    60_000,
  );
});
