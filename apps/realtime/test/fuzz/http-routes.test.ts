import { fc } from "@fast-check/vitest";
import {
  ChatHistoryQuery,
  ChatHistoryResponse,
  ChatPresenceResponse,
  ChatRoomParams,
  ChatRoomsResponse,
  CreateSessionRequest,
  CurrentSessionResponse,
  LabStreamsResponse,
  SessionResponse,
  TicketResponse,
  labPaths,
} from "@repo/protocol";
import { describe, expect, test } from "vitest";
import { signIn } from "../support/start-server";
import { VALID_AUTH, authHeaders, authVariant } from "./support/auth-arbitraries";
import { describeValue, fuzzEdge, printSummaryAfterAll } from "./support/fuzz-config";
import { useFuzzServer } from "./support/fuzz-server";
import { expectTypedRejection, request } from "./support/http-answers";
import { junkJsonText, nastyString, notJsonText } from "./support/json-arbitraries";
import { decodings, encodedValue } from "./support/query-arbitraries";

/*
 * The session endpoints (sign-in, who-am-I, sign-out, SSE tickets), every
 * authenticated route with broken credentials, and the chat GET routes with
 * fuzzed room ids and history queries.
 */
const target = useFuzzServer();
printSummaryAfterAll("http-routes");

const CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", undefined] as const;

describe("session endpoints and chat reads over HTTP", () => {
  const sessionBody = fc.oneof(
    { weight: 4, arbitrary: nastyString.map((name) => JSON.stringify({ name })) },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 32 }).map((name) => JSON.stringify({ name })) },
    { weight: 2, arbitrary: junkJsonText.map((name) => `{"name":${name}}`) },
    { weight: 2, arbitrary: junkJsonText },
    { weight: 1, arbitrary: notJsonText },
  );
  fuzzEdge("POST /v1/session (fuzzed names, bodies and content types)", [sessionBody, fc.constantFrom(...CONTENT_TYPES)], async (body, contentType) => {
    const t = target();
    const what = `POST /v1/session [${String(contentType)}] ${describeValue(body, 160)}`;
    let value: unknown;
    try {
      value = contentType?.startsWith("application/json") ? JSON.parse(body) : undefined;
    } catch {
      value = undefined;
    }
    const maybeValid = Buffer.byteLength(body) <= 16 * 1024 && CreateSessionRequest.safeParse(value).success;
    const before = await t.digest();
    const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
    const answer = await t.errors.guard(what, request(`${t.baseUrl}/v1/session`, { method: "POST", headers, body }));
    const accepted = maybeValid && answer.status === 201;
    if (accepted) {
      expect(SessionResponse.safeParse(answer.json).success, `${what}: 201 body`).toBe(true);
    } else {
      expectTypedRejection(answer, `${what} (${maybeValid ? "valid" : "invalid"})`);
      await t.expectDatabaseUnchanged(before, what);
    }
    await t.caseDone(what);
    return accepted;
  });

  const ROUTES = [
    { method: "POST", path: "/v1/sse/ticket", ok: 201, schema: TicketResponse },
    { method: "GET", path: "/v1/session", ok: 200, schema: CurrentSessionResponse },
    { method: "GET", path: "/v1/chat/rooms", ok: 200, schema: ChatRoomsResponse },
    { method: "GET", path: "/v1/poll?cursor=system:ticker@", ok: 200, schema: undefined },
    { method: "GET", path: "/v1/long-poll?cursor=system:ticker@&timeout=0", ok: 200, schema: undefined },
    { method: "GET", path: "/v1/chat/rooms/lobby/presence", ok: 200, schema: undefined },
    { method: "GET", path: labPaths.streams, ok: 200, schema: LabStreamsResponse },
  ] as const;
  fuzzEdge("authenticated routes with broken credentials", [fc.constantFrom(...ROUTES), authVariant], async (route, auth) => {
    const t = target();
    const what = `${route.method} ${route.path} auth=${auth[0]}`;
    const before = await t.digest();
    const answer = await t.errors.guard(what, request(`${t.baseUrl}${route.path}`, { method: route.method, headers: authHeaders(auth, t.fuzzer.token) }));
    const accepted = VALID_AUTH.has(auth[0]) && answer.status >= 200 && answer.status < 300;
    if (accepted) {
      expect(answer.status, what).toBe(route.ok);
      if (route.schema) expect(route.schema.safeParse(answer.json).success, `${what}: body ${answer.text.slice(0, 200)}`).toBe(true);
    } else {
      const error = expectTypedRejection(answer, what);
      if (!VALID_AUTH.has(auth[0])) expect(error.code, `${what}: broken credentials`).toBe("unauthorized");
      await t.expectDatabaseUnchanged(before, what);
    }
    await t.caseDone(what);
    return accepted;
  });

  fuzzEdge("DELETE /v1/session (broken and valid credentials)", [authVariant], async (auth) => {
    const t = target();
    // A valid sign-out revokes the session it names: use a throwaway one, never the fuzzer's.
    const throwaway = VALID_AUTH.has(auth[0]) ? await signIn(t.baseUrl, "Throwaway") : undefined;
    const token = throwaway?.token ?? t.fuzzer.token;
    const what = `DELETE /v1/session auth=${auth[0]}`;
    const before = await t.digest();
    const answer = await t.errors.guard(what, request(`${t.baseUrl}/v1/session`, { method: "DELETE", headers: authHeaders(auth, token) }));
    if (answer.status !== 204) expectTypedRejection(answer, what);
    if (throwaway) {
      const after = await request(`${t.baseUrl}/v1/session`, { headers: { authorization: `Bearer ${throwaway.token}` } });
      if (answer.status === 204) expect(after.status, `${what}: the signed-out session must be refused`).toBe(401);
    } else {
      // Nothing valid was presented: nothing may be revoked, and the fuzzer's session still works.
      await t.expectDatabaseUnchanged(before, what);
      const still = await request(`${t.baseUrl}/v1/session`, { headers: t.authHeaders() });
      expect(still.status, `${what}: the fuzzer's own session was signed out by broken credentials`).toBe(200);
    }
    await t.caseDone(what);
    return throwaway !== undefined;
  });

  const roomIdRaw = encodedValue(fc.oneof(fc.constantFrom("lobby", "no-such-room", "LOBBY", "a".repeat(33), "-x", "__proto__", "..", "."), nastyString));
  const historyQuery: fc.Arbitrary<Array<readonly [string, string]>> = fc.array(
    fc.oneof(
      encodedValue(fc.oneof(fc.uuid(), nastyString)).map((raw) => ["before", raw] as const),
      encodedValue(fc.oneof(fc.constantFrom("0", "1", "50", "100", "101", "-1", "1.5", "1e2", "NaN", "", "0x10", " 5"), nastyString)).map((raw) => ["limit", raw] as const),
      encodedValue(nastyString).map((raw) => ["x", raw] as const),
    ),
    { maxLength: 4 },
  );
  fuzzEdge(
    "GET /v1/chat/rooms/:roomId/messages and /presence (fuzzed room ids and queries)",
    [roomIdRaw, historyQuery, fc.constantFrom<"messages" | "presence">("messages", "presence")],
    async (roomRaw, query, kind) => {
      const t = target();
      const queryString = query.length === 0 ? "" : `?${query.map(([k, v]) => `${k}=${v}`).join("&")}`;
      const path = `/v1/chat/rooms/${roomRaw}/${kind}${kind === "messages" ? queryString : ""}`;
      const what = `GET ${describeValue(path, 200)}`;
      // A path segment may be read raw or decoded; a query as fast-querystring would (repeats become arrays).
      const roomOk = decodings(roomRaw).some((roomId) => ChatRoomParams.safeParse({ roomId }).success);
      const grouped = (pick: (raw: string) => string) => {
        const out: Record<string, string | string[]> = {};
        for (const [k, raw] of query) {
          const prior = out[k];
          out[k] = prior === undefined ? pick(raw) : Array.isArray(prior) ? [...prior, pick(raw)] : [prior, pick(raw)];
        }
        return out;
      };
      const queryOk = [(raw: string) => raw, (raw: string) => decodings(raw).at(-1)!].some(
        (pick) => ChatHistoryQuery.safeParse(grouped(pick)).success,
      );
      const maybeValid = roomOk && (kind === "presence" || queryOk);
      const before = await t.digest();
      const answer = await t.errors.guard(what, request(`${t.baseUrl}${path}`, { headers: t.authHeaders() }));
      const accepted = maybeValid && answer.status === 200;
      if (accepted) {
        const schema = kind === "messages" ? ChatHistoryResponse : ChatPresenceResponse;
        expect(schema.safeParse(answer.json).success, `${what}: 200 body ${answer.text.slice(0, 200)}`).toBe(true);
      } else {
        expectTypedRejection(answer, `${what} (${maybeValid ? "valid" : "invalid"})`);
        await t.expectDatabaseUnchanged(before, what);
      }
      await t.caseDone(what);
      return accepted;
    },
    { examples: [["lobby", [["limit", "1"], ["limit", "2"]], "messages"]] },
  );

  test("the service is still serving after the route fuzzing", async () => {
    await target().expectServing("after session and chat route fuzzing");
  });
});
