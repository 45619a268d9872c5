import { fc } from "@fast-check/vitest";
import { FlagsAdminResponse, FlagsPreviewResponse, OPERATOR_SESSION_COOKIE, OperatorSessionResponse, SESSION_COOKIE, flagsAdminPaths } from "@repo/protocol";
import { beforeAll, describe, expect } from "vitest";
import { echoFeature, flagsFeature } from "../../src/features/index";
import { defaultDefinitions } from "../flags/support";
import { describeValue, fuzzEdge, printSummaryAfterAll } from "./support/fuzz-config";
import { useFuzzServer } from "./support/fuzz-server";
import { expectTypedRejection, request, type HttpAnswer } from "./support/http-answers";
import { junkJsonText, nastyString, notJsonText } from "./support/json-arbitraries";

/*
 * The operator's edges: sign-in with fuzzed secrets and bodies, the admin
 * routes with fuzzed credentials (bearer, operator cookie, guest cookie), and
 * the preview with fuzzed flag definitions (junk, and near-valid documents
 * with one flag mangled). Nothing is ever written: a preview saves nothing,
 * the flags in force stay, and only the right secret signs in.
 */
const OPERATOR_TOKEN = "fuzz-operator-token-for-flags-admin-0123456789";
// The sign-in limit is switched off here so every case reaches the secret comparison (its limit has a test).
const target = useFuzzServer({ features: [echoFeature(), flagsFeature({ operatorToken: OPERATOR_TOKEN, operatorSignInLimits: [] })] });
printSummaryAfterAll("http-flags-admin");

const headerSafe = nastyString.map((s) => s.replace(/[^\x20-\x7e]/g, "").slice(0, 2000));
let operatorCookie = "";
beforeAll(async () => {
  const answer = await request(`${target().baseUrl}${flagsAdminPaths.session}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ secret: OPERATOR_TOKEN }),
  });
  operatorCookie = new RegExp(`${OPERATOR_SESSION_COOKIE}=([^;]+)`).exec(answer.headers.get("set-cookie") ?? "")?.[1] ?? "";
  expect(operatorCookie).not.toBe("");
});

/** Liveness of the flags themselves: what is in force never changed. */
function expectFlagsUnchanged(etag: string, what: string) {
  expect(target().running.server.flags.store.etag, `${what}: the flags in force changed`).toBe(etag);
}

describe("flag administration over HTTP", () => {
  const signInBody = fc.oneof(
    { weight: 4, arbitrary: fc.record({ secret: fc.oneof(nastyString, fc.constant(`${OPERATOR_TOKEN} `), fc.constant(OPERATOR_TOKEN.slice(0, -1)), fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: junkJsonText },
    { weight: 1, arbitrary: notJsonText },
  );
  fuzzEdge("POST /v1/admin/session (fuzzed secrets and bodies)", [signInBody, fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded")], async (body, contentType) => {
    const t = target();
    const what = `POST session ${contentType} ${describeValue(body, 200)}`;
    const before = await t.digest();
    const etag = t.running.server.flags.store.etag;
    const answer = await t.errors.guard(what, request(`${t.baseUrl}${flagsAdminPaths.session}`, { method: "POST", headers: { "content-type": contentType }, body }));
    const error = expectTypedRejection(answer, what);
    expect(["validation", "unauthorized", "payload_too_large"], what).toContain(error.code);
    expect(answer.headers.get("set-cookie"), `${what}: no cookie for a wrong secret`).toBeNull();
    expectFlagsUnchanged(etag, what);
    await t.expectDatabaseUnchanged(before, what);
    await t.caseDone(what);
    return false;
  });

  const credential = fc.oneof(
    fc.constant<Record<string, string>>({}),
    headerSafe.map((junk) => ({ cookie: `${OPERATOR_SESSION_COOKIE}=${junk}` })),
    headerSafe.map((junk) => ({ authorization: `Bearer ${junk}` })),
    fc.constant("guest").map(() => ({ guest: "cookie" })),
    fc.constant("guest").map(() => ({ guest: "bearer" })),
    fc.constant("tampered").map(() => ({ tampered: "cookie" })),
  );
  fuzzEdge(
    "GET/PUT /v1/admin/flags, POST preview and undo (fuzzed credentials)",
    [credential, fc.constantFrom(["GET", flagsAdminPaths.flags], ["PUT", flagsAdminPaths.flags], ["POST", flagsAdminPaths.preview], ["POST", flagsAdminPaths.undo], ["GET", flagsAdminPaths.changes], ["GET", flagsAdminPaths.session])],
    async (given, [method, path]) => {
      const t = target();
      const headers: Record<string, string> = { "content-type": "application/json", "if-match": `"${t.running.server.flags.store.etag}"` };
      if ("guest" in given) Object.assign(headers, given.guest === "cookie" ? { cookie: `${SESSION_COOKIE}=${t.fuzzer.token}` } : { authorization: `Bearer ${t.fuzzer.token}` });
      else if ("tampered" in given) headers.cookie = `${OPERATOR_SESSION_COOKIE}=${operatorCookie.slice(0, -3)}${operatorCookie.endsWith("A") ? "BBB" : "AAA"}`;
      else Object.assign(headers, given);
      const what = `${method} ${path} ${describeValue(given, 160)}`;
      const before = await t.digest();
      const etag = t.running.server.flags.store.etag;
      const body = method === "GET" ? undefined : JSON.stringify({ definitions: defaultDefinitions(), reason: "fuzz" });
      const answer = await t.errors.guard(what, request(`${t.baseUrl}${path}`, { method, headers, body }));
      if (path === flagsAdminPaths.session) {
        expect(answer.status, what).toBe(200);
        expect(OperatorSessionResponse.parse(answer.json), what).toMatchObject({ operator: false });
      } else {
        const error = expectTypedRejection(answer, what);
        expect(error.code, what).toBe("guest" in given ? "forbidden" : "unauthorized");
      }
      expectFlagsUnchanged(etag, what);
      await t.expectDatabaseUnchanged(before, what);
      await t.caseDone(what);
      return false;
    },
  );

  const variantValue = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));
  const mangledFlag = fc.record(
    {
      state: fc.oneof(fc.constantFrom("ENABLED", "DISABLED"), nastyString),
      variants: fc.dictionary(fc.oneof(fc.constantFrom("on", "off", "sse", "websocket", "default", "__proto__"), fc.string({ maxLength: 8 })), variantValue, { maxKeys: 5 }),
      defaultVariant: fc.oneof(fc.constantFrom("on", "off", "sse", "websocket", "default", "__proto__"), nastyString, fc.constant(null)),
      targeting: fc.oneof(
        fc.tuple(fc.array(fc.tuple(fc.constantFrom("sse", "default", "on", "x"), fc.integer({ min: -10, max: 200 })), { maxLength: 4 })).map(([buckets]) => ({ fractional: buckets })),
        fc.constant({ if: [{ starts_with: [{ var: "name" }, "Fuzz"] }, "sse", "default"] }),
        fc.jsonValue({ maxDepth: 3 }),
      ),
      metadata: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  );
  const flagKey = fc.oneof(fc.constantFrom("transport.chat", "transport.default", "game.tick-hz", "transport.sse.enabled", "lab.new"), nastyString);
  // Valid edits an operator makes (a rollout's weights, a bucket naming no variant): mostly accepted.
  // (A "__proto__" key anywhere in a body is refused by the framework's JSON parser before the route.)
  const rollout = fc
    .tuple(fc.array(fc.tuple(fc.constantFrom("sse", "default", "polling", "sse-again", "__proto__"), fc.integer({ min: 0, max: 100 })), { minLength: 1, maxLength: 4 }))
    .map(([buckets]) => {
      const chat = defaultDefinitions().flags["transport.chat"];
      const variants = { default: "default", websocket: "websocket", sse: "sse", "long-polling": "long-polling", polling: "polling", "sse-again": "sse" };
      return JSON.stringify({ definitions: { ...defaultDefinitions(), flags: { ...defaultDefinitions().flags, "transport.chat": { ...chat, variants, targeting: { fractional: buckets } } } } });
    });
  const previewBody = fc.oneof(
    { weight: 3, arbitrary: rollout },
    { weight: 5, arbitrary: fc.tuple(flagKey, mangledFlag).map(([key, flag]) => JSON.stringify({ definitions: { ...defaultDefinitions(), flags: { ...defaultDefinitions().flags, [key]: flag } } })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((definitions) => JSON.stringify({ definitions })) },
    { weight: 1, arbitrary: junkJsonText },
    { weight: 1, arbitrary: notJsonText },
  );
  fuzzEdge("POST /v1/admin/flags/preview (fuzzed definitions)", [previewBody, fc.boolean()], async (body, viaCookie) => {
    const t = target();
    const what = `POST preview ${describeValue(body, 300)}`;
    const before = await t.digest();
    const etag = t.running.server.flags.store.etag;
    const auth: Record<string, string> = viaCookie ? { cookie: `${OPERATOR_SESSION_COOKIE}=${operatorCookie}` } : { authorization: `Bearer ${OPERATOR_TOKEN}` };
    const answer: HttpAnswer = await t.errors.guard(what, request(`${t.baseUrl}${flagsAdminPaths.preview}`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body }));
    let accepted = false;
    if (answer.status === 200) {
      const parsed = FlagsPreviewResponse.safeParse(answer.json);
      expect(parsed.success, `${what}: 200 body ${answer.text.slice(0, 300)}`).toBe(true);
      accepted = true;
    } else {
      const error = expectTypedRejection(answer, what);
      expect(["validation", "payload_too_large"], what).toContain(error.code);
    }
    expectFlagsUnchanged(etag, what);
    // The definitions a GET reports are still the ones in force.
    const read = await request(`${t.baseUrl}${flagsAdminPaths.flags}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
    expect(FlagsAdminResponse.parse(read.json).etag, what).toBe(etag);
    await t.expectDatabaseUnchanged(before, what);
    await t.caseDone(what);
    return accepted;
  });
});
