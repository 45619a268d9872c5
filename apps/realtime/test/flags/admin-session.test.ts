import { createDatabase, type Database } from "@repo/db";
import { ErrorResponse, FlagChangesResponse, FlagsAdminResponse, OperatorSessionResponse, SESSION_COOKIE, flagsAdminPaths } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { flagsFeature } from "../../src/features/index";
import { ALLOWED_ORIGIN, FOREIGN_ORIGIN, signIn, startTestServer, type TestServer } from "../sdk/support/server";
import { call, operatorSignIn } from "./admin-support";
import { chatOnSse, defaultDefinitions } from "./support";

const OPERATOR_TOKEN = "operator-token-for-session-tests-0123456789";

let db: Database;
let service: TestServer;

beforeAll(async () => {
  db = await createDatabase({ pgliteDir: "memory" });
  service = await startTestServer({ operatorToken: OPERATOR_TOKEN }, { db });
});
afterAll(async () => {
  await service.stop();
  await db.close();
});

let shared: { cookie: string } | undefined;
/** One operator session for the tests that do not end it (sign-ins are rate limited: 5 a minute per address). */
async function sharedCookie(): Promise<{ cookie: string }> {
  if (!shared) {
    const { cookie } = await operatorSignIn(service, OPERATOR_TOKEN);
    if (!cookie) throw new Error("no operator cookie");
    shared = cookie;
  }
  return shared;
}

const withChat = (percent: number) => ({ ...defaultDefinitions(), flags: { ...defaultDefinitions().flags, ...chatOnSse(percent) } });
const errorCode = (json: unknown) => ErrorResponse.parse(json).error.code;

describe("operator session", () => {
  test("the right secret sets an HttpOnly, SameSite=Strict cookie scoped to /v1/admin; a wrong one is 401 and sets nothing", async () => {
    const wrong = await operatorSignIn(service, `${OPERATOR_TOKEN}x`);
    expect([wrong.status, errorCode(wrong.json), wrong.setCookie]).toEqual([401, "unauthorized", ""]);

    const right = await operatorSignIn(service, OPERATOR_TOKEN);
    expect(right.status).toBe(201);
    const body = OperatorSessionResponse.parse(right.json);
    expect(body).toMatchObject({ operator: true, via: "session" });
    // Short-lived: half an hour by default.
    const lifetime = Date.parse(body.expiresAt ?? "") - Date.now();
    expect(lifetime).toBeGreaterThan(29 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(30 * 60_000);
    expect(right.setCookie).toMatch(/HttpOnly/i);
    expect(right.setCookie).toMatch(/SameSite=Strict/i);
    expect(right.setCookie).toMatch(/Path=\/v1\/admin(;|$)/);
    expect(right.setCookie).not.toMatch(/Secure/i);
    // The secret itself is never echoed, nor is it the cookie.
    expect(JSON.stringify(right.json)).not.toContain(OPERATOR_TOKEN);
    expect(right.setCookie).not.toContain(OPERATOR_TOKEN);
  });

  test("the cookie is an operator credential: read, save (audited as the session), preview, undo; who-am-I says how", async () => {
    const cookie = await sharedCookie();
    expect(OperatorSessionResponse.parse((await call(service, "GET", flagsAdminPaths.session, undefined, cookie)).json)).toMatchObject({ operator: true, via: "session" });
    expect(OperatorSessionResponse.parse((await call(service, "GET", flagsAdminPaths.session, undefined, { authorization: `Bearer ${OPERATOR_TOKEN}` })).json)).toEqual({
      operator: true,
      via: "token",
      expiresAt: null,
    });
    expect((await call(service, "GET", flagsAdminPaths.session)).json).toEqual({ operator: false, via: null, expiresAt: null });

    const read = await call(service, "GET", flagsAdminPaths.flags, undefined, cookie);
    expect(read.status).toBe(200);
    const { etag } = FlagsAdminResponse.parse(read.json);
    expect((await call(service, "POST", flagsAdminPaths.preview, { definitions: withChat(30) }, cookie)).status).toBe(200);
    const saved = await call(service, "PUT", flagsAdminPaths.flags, { definitions: withChat(30), reason: "30% of chat on SSE" }, { ...cookie, "if-match": `"${etag}"` });
    expect(saved.status).toBe(200);
    const log = FlagChangesResponse.parse((await call(service, "GET", flagsAdminPaths.changes, undefined, cookie)).json);
    expect(log.changes[0]).toMatchObject({ actor: "operator (session)", reason: "30% of chat on SSE" });
    const undone = await call(service, "POST", flagsAdminPaths.undo, { reason: "put back" }, { ...cookie, "if-match": `"${service.server.flags.store.etag}"` });
    expect(undone.status).toBe(200);
  });

  test("sign-out clears the cookie and ends that session here, even if the old cookie is presented again", async () => {
    const { cookie } = await operatorSignIn(service, OPERATOR_TOKEN);
    if (!cookie) throw new Error("no operator cookie");
    const out = await call(service, "DELETE", flagsAdminPaths.session, undefined, cookie);
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/sb_operator=;.*Expires=Thu, 01 Jan 1970/i);
    expect((await call(service, "GET", flagsAdminPaths.flags, undefined, cookie)).status).toBe(401);
    expect((await call(service, "GET", flagsAdminPaths.session, undefined, cookie)).json).toMatchObject({ operator: false });
    // Signing out twice (or with no session) is fine.
    expect((await call(service, "DELETE", flagsAdminPaths.session)).status).toBe(204);
  });

  test("a guest session (cookie or bearer) is 403 'operators only'; nothing at all, or a forged or foreign token in the operator cookie, is 401", async () => {
    const ada = await signIn(service.baseUrl, "Ada");
    const asGuestCookie = await call(service, "GET", flagsAdminPaths.flags, undefined, { cookie: `${SESSION_COOKIE}=${ada.token}` });
    expect([asGuestCookie.status, errorCode(asGuestCookie.json)]).toEqual([403, "forbidden"]);
    const asGuestBearer = await call(service, "PUT", flagsAdminPaths.flags, { definitions: withChat(10), reason: "x" }, { authorization: `Bearer ${ada.token}`, "if-match": '"x"' });
    expect([asGuestBearer.status, errorCode(asGuestBearer.json)]).toEqual([403, "forbidden"]);
    expect((await call(service, "GET", flagsAdminPaths.session, undefined, { cookie: `${SESSION_COOKIE}=${ada.token}` })).json).toMatchObject({ operator: false });

    const nothing = await call(service, "GET", flagsAdminPaths.flags);
    expect([nothing.status, errorCode(nothing.json)]).toEqual([401, "unauthorized"]);
    // A guest's session JWT (signed with SESSION_SECRET, another audience) is not an operator session.
    for (const forged of [ada.token, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJvcGVyYXRvciJ9.", "x".repeat(5000)]) {
      expect((await call(service, "GET", flagsAdminPaths.flags, undefined, { cookie: `sb_operator=${forged}` })).status).toBe(401);
    }
    // Another service's operator session (another OPERATOR_TOKEN, so another key) is not one here.
    const other = await startTestServer({ operatorToken: "a-different-operator-token-0123456789" }, { db });
    try {
      const { cookie } = await operatorSignIn(other, "a-different-operator-token-0123456789");
      if (!cookie) throw new Error("no operator cookie");
      expect((await call(service, "GET", flagsAdminPaths.flags, undefined, cookie)).status).toBe(401);
    } finally {
      await other.stop();
    }
  });

  test("cookie-borne mutations from a foreign origin are refused; the CORS preflight admits only the app's origin", async () => {
    const cookie = await sharedCookie();
    const etagBefore = service.server.flags.store.etag;
    const changesBefore = await db.prisma.flagChange.count();
    const foreign = { ...cookie, origin: FOREIGN_ORIGIN, "if-match": `"${etagBefore}"` };
    const attempts = [
      await call(service, "PUT", flagsAdminPaths.flags, { definitions: withChat(100), reason: "csrf" }, foreign),
      await call(service, "POST", flagsAdminPaths.undo, { reason: "csrf" }, foreign),
      await call(service, "POST", flagsAdminPaths.preview, { definitions: withChat(100) }, foreign),
      await call(service, "DELETE", flagsAdminPaths.session, undefined, foreign),
      await call(service, "POST", flagsAdminPaths.session, { secret: OPERATOR_TOKEN }, { origin: FOREIGN_ORIGIN }),
      // A "simple" cross-site form post (no preflight) is refused by origin too.
      await call(service, "PUT", flagsAdminPaths.flags, JSON.stringify({ definitions: withChat(100), reason: "csrf" }), { ...foreign, "content-type": "text/plain" }),
    ];
    expect(attempts.map((answer) => [answer.status, errorCode(answer.json)])).toEqual(attempts.map(() => [403, "forbidden"]));
    expect(service.server.flags.store.etag).toBe(etagBefore);
    expect(await db.prisma.flagChange.count()).toBe(changesBefore);
    // The cookie still works from the app's own origin (sign-out above did not go through).
    expect((await call(service, "GET", flagsAdminPaths.flags, undefined, { ...cookie, origin: ALLOWED_ORIGIN })).status).toBe(200);

    const preflight = (origin: string) =>
      fetch(`${service.baseUrl}${flagsAdminPaths.flags}`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "PUT", "access-control-request-headers": "content-type,if-match" },
      });
    const ours = await preflight(ALLOWED_ORIGIN);
    expect(ours.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(ours.headers.get("access-control-allow-credentials")).toBe("true");
    expect(ours.headers.get("access-control-allow-methods")).toContain("PUT");
    expect(ours.headers.get("access-control-allow-headers")).toContain("if-match");
    const theirs = await preflight(FOREIGN_ORIGIN);
    expect(theirs.status).toBe(403);
    expect(theirs.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("a text/plain body with the cookie from no origin at all is not a valid edit (JSON only)", async () => {
    const cookie = await sharedCookie();
    const etag = service.server.flags.store.etag;
    const answer = await call(service, "PUT", flagsAdminPaths.flags, JSON.stringify({ definitions: withChat(100), reason: "plain" }), { ...cookie, "content-type": "text/plain", "if-match": `"${etag}"` });
    expect(answer.status).toBe(400);
    expect(service.server.flags.store.etag).toBe(etag);
  });

  test("Secure on https services (COOKIE_SECURE)", async () => {
    const secure = await startTestServer({ operatorToken: OPERATOR_TOKEN, cookieSecure: true }, { db });
    try {
      expect((await operatorSignIn(secure, OPERATOR_TOKEN)).setCookie).toMatch(/;\s*Secure/i);
    } finally {
      await secure.stop();
    }
  });

  test("sign-in attempts are rate limited per address, right or wrong: 429 with Retry-After, and the right secret does not get through either", async () => {
    const limited = await startTestServer(
      {},
      { db, features: [flagsFeature({ operatorToken: OPERATOR_TOKEN, operatorSignInLimits: [{ points: 3, windowSeconds: 60 }] })] },
    );
    try {
      for (let i = 0; i < 3; i++) expect((await operatorSignIn(limited, `guess-${i}`)).status).toBe(401);
      const refused = await operatorSignIn(limited, OPERATOR_TOKEN);
      expect([refused.status, errorCode(refused.json), refused.setCookie]).toEqual([429, "rate_limited", ""]);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      // The bearer token still works: the limit is on guessing, not on the operator.
      expect((await call(limited, "GET", flagsAdminPaths.flags, undefined, { authorization: `Bearer ${OPERATOR_TOKEN}` })).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  test("a service without OPERATOR_TOKEN has no operator sign-in (403) and says nobody is an operator", async () => {
    const closed = await startTestServer({}, { db });
    try {
      const answer = await operatorSignIn(closed, "anything");
      expect([answer.status, errorCode(answer.json)]).toEqual([403, "forbidden"]);
      expect((await call(closed, "GET", flagsAdminPaths.session)).status).toBe(403);
    } finally {
      await closed.stop();
    }
  });
});
