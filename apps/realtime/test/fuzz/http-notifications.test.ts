import { fc } from "@fast-check/vitest";
import {
  BroadcastRequest,
  BroadcastResponse,
  MAX_COMMAND_BYTES,
  NotificationPreferencesResponse,
  NotificationsQuery,
  NotificationsResponse,
  notificationsPaths,
} from "@repo/protocol";
import { describe, expect, test } from "vitest";
import { VALID_AUTH, authHeaders, authVariant } from "./support/auth-arbitraries";
import { describeValue, fuzzEdge, printSummaryAfterAll } from "./support/fuzz-config";
import { useFuzzServer } from "./support/fuzz-server";
import { expectTypedRejection, request } from "./support/http-answers";
import { junkJsonText, nastyString, notJsonText } from "./support/json-arbitraries";
import { decodings, encodedValue } from "./support/query-arbitraries";

/*
 * The notification routes: the list with fuzzed keyset queries, the reads with
 * broken credentials, and the operator's broadcast with fuzzed secrets and
 * bodies. The notify.* commands are fuzzed with every other command type
 * (http-commands, socket-commands), from the protocol's Command union.
 */
const OPERATOR_TOKEN = "fuzz-operator-token-0123456789abcdefghij";
const target = useFuzzServer({ operatorToken: OPERATOR_TOKEN });
printSummaryAfterAll("http-notifications");

describe("notification routes over HTTP", () => {
  const listQuery: fc.Arbitrary<Array<readonly [string, string]>> = fc.array(
    fc.oneof(
      encodedValue(fc.oneof(fc.uuid(), fc.uuid().map((u) => u.toUpperCase()), nastyString)).map((raw) => ["before", raw] as const),
      encodedValue(fc.oneof(fc.constantFrom("0", "1", "20", "50", "51", "-1", "1.5", "1e1", "NaN", "", " 5", "0x10"), nastyString)).map((raw) => ["limit", raw] as const),
      encodedValue(nastyString).map((raw) => ["x", raw] as const),
    ),
    { maxLength: 4 },
  );
  fuzzEdge("GET /v1/notifications (fuzzed keyset queries)", [listQuery], async (query) => {
    const t = target();
    const path = `${notificationsPaths.list}${query.length === 0 ? "" : `?${query.map(([k, v]) => `${k}=${v}`).join("&")}`}`;
    const what = `GET ${describeValue(path, 200)}`;
    const grouped = (pick: (raw: string) => string) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, raw] of query) {
        const prior = out[k];
        out[k] = prior === undefined ? pick(raw) : Array.isArray(prior) ? [...prior, pick(raw)] : [prior, pick(raw)];
      }
      return out;
    };
    const maybeValid = [(raw: string) => raw, (raw: string) => decodings(raw).at(-1)!].some((pick) => NotificationsQuery.safeParse(grouped(pick)).success);
    const before = await t.digest();
    const answer = await t.errors.guard(what, request(`${t.baseUrl}${path}`, { headers: t.authHeaders() }));
    const accepted = maybeValid && answer.status === 200;
    if (accepted) {
      expect(NotificationsResponse.safeParse(answer.json).success, `${what}: 200 body ${answer.text.slice(0, 200)}`).toBe(true);
    } else {
      expectTypedRejection(answer, `${what} (${maybeValid ? "valid" : "invalid"})`);
    }
    // A read never writes, accepted or not.
    await t.expectDatabaseUnchanged(before, what);
    await t.caseDone(what);
    return accepted;
  });

  const READS = [
    { path: notificationsPaths.list, schema: NotificationsResponse },
    { path: notificationsPaths.preferences, schema: NotificationPreferencesResponse },
  ] as const;
  fuzzEdge("notification reads with broken credentials", [fc.constantFrom(...READS), authVariant], async (route, auth) => {
    const t = target();
    const what = `GET ${route.path} auth=${auth[0]}`;
    const before = await t.digest();
    const answer = await t.errors.guard(what, request(`${t.baseUrl}${route.path}`, { headers: authHeaders(auth, t.fuzzer.token) }));
    const accepted = VALID_AUTH.has(auth[0]) && answer.status === 200;
    if (accepted) {
      expect(route.schema.safeParse(answer.json).success, `${what}: body ${answer.text.slice(0, 200)}`).toBe(true);
    } else {
      const error = expectTypedRejection(answer, what);
      if (!VALID_AUTH.has(auth[0])) expect(error.code, `${what}: broken credentials`).toBe("unauthorized");
    }
    await t.expectDatabaseUnchanged(before, what);
    await t.caseDone(what);
    return accepted;
  });

  /** The operator's secret, right or nearly right, or a guest's own session. */
  const operatorAuth = fc.oneof(
    { weight: 3, arbitrary: fc.constant(`Bearer ${OPERATOR_TOKEN}`) },
    {
      weight: 5,
      arbitrary: fc.constantFrom(
        "",
        "Bearer ",
        `bearer ${OPERATOR_TOKEN}`,
        `Bearer  ${OPERATOR_TOKEN}`,
        `Bearer ${OPERATOR_TOKEN} `,
        `Bearer ${OPERATOR_TOKEN.slice(0, -1)}`,
        `Bearer ${OPERATOR_TOKEN}x`,
        `Bearer ${OPERATOR_TOKEN.toUpperCase()}`,
        `Basic ${Buffer.from(`operator:${OPERATOR_TOKEN}`).toString("base64")}`,
        OPERATOR_TOKEN,
        "@@guest@@",
      ),
    },
    { weight: 1, arbitrary: nastyString.map((s) => `Bearer ${s.replace(/[^\x20-\x7e]/g, "")}`) },
  );
  const broadcastBody = fc.oneof(
    { weight: 4, arbitrary: fc.record({ title: fc.oneof(fc.string({ minLength: 1, maxLength: 130 }), nastyString), body: fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), nastyString) }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.integer({ min: 995, max: 1005 }).map((n) => JSON.stringify({ title: "t", body: "é".repeat(n) })) },
    { weight: 2, arbitrary: junkJsonText.map((v) => `{"title":${v},"body":"b"}`) },
    { weight: 2, arbitrary: junkJsonText },
    { weight: 1, arbitrary: notJsonText },
  );
  fuzzEdge(
    "POST /v1/notifications/broadcast (fuzzed operator secrets and bodies)",
    [operatorAuth, broadcastBody, fc.constantFrom("application/json", "text/plain", undefined)],
    async (authorization, body, contentType) => {
      const t = target();
      const header = authorization === "@@guest@@" ? `Bearer ${t.fuzzer.token}` : authorization;
      const what = `POST broadcast auth=${describeValue(authorization, 60)} [${String(contentType)}] ${describeValue(body, 160)}`;
      let value: unknown;
      try {
        value = contentType === "application/json" ? JSON.parse(body) : undefined;
      } catch {
        value = undefined;
      }
      const maybeValid =
        header === `Bearer ${OPERATOR_TOKEN}` && Buffer.byteLength(body) <= MAX_COMMAND_BYTES && BroadcastRequest.safeParse(value).success;
      const before = await t.digest();
      const headers: Record<string, string> = { ...(header ? { authorization: header } : {}), ...(contentType ? { "content-type": contentType } : {}) };
      const answer = await t.errors.guard(what, request(`${t.baseUrl}${notificationsPaths.broadcast}`, { method: "POST", headers, body }));
      const accepted = maybeValid && answer.status === 201;
      if (accepted) {
        expect(BroadcastResponse.safeParse(answer.json).success, `${what}: 201 body ${answer.text.slice(0, 200)}`).toBe(true);
      } else {
        const error = expectTypedRejection(answer, `${what} (${maybeValid ? "valid" : "invalid"})`);
        // Not the operator: refused, by the secret check or by the body parser that runs before it.
        if (header !== `Bearer ${OPERATOR_TOKEN}`) expect(["unauthorized", "payload_too_large", "validation"], `${what}: not the operator`).toContain(error.code);
        await t.expectDatabaseUnchanged(before, what);
      }
      await t.caseDone(what);
      return accepted;
    },
  );

  test("the service is still serving after the notification route fuzzing", async () => {
    await target().expectServing("after notification route fuzzing");
  });
});
