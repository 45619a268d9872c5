import { fc } from "@fast-check/vitest";
import { ErrorResponse, MAX_COMMAND_BYTES, OFREP_PATHS, OfrepBulkResponse, OfrepEvaluation, OfrepRequest, OfrepRequestError } from "@repo/protocol";
import { describe, expect } from "vitest";
import { describeValue, fuzzEdge, printSummaryAfterAll } from "./support/fuzz-config";
import { useFuzzServer } from "./support/fuzz-server";
import { expectTypedRejection, request, type HttpAnswer } from "./support/http-answers";
import { junkJsonText, nastyString, notJsonText } from "./support/json-arbitraries";

/*
 * The OFREP routes with hostile bodies and flag keys: contexts naming the
 * user, someone else, nobody or junk; bodies that are not JSON; keys of every
 * shape. A well-formed request for oneself is evaluated; everything else is a
 * 400 in OFREP's shape, or the service's typed rejection for a body that is
 * not JSON at all. Nothing is ever written.
 */
const target = useFuzzServer();
printSummaryAfterAll("http-flags");

/** Stands for the fuzzer's own user id in generated bodies. */
const SELF = "\u0000self\u0000";

const context = fc.record(
  {
    targetingKey: fc.oneof(fc.constant(SELF), nastyString, fc.uuid(), fc.integer(), fc.constant(null)),
    name: nastyString,
    cohort: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  { weight: 4, arbitrary: fc.record({ context: fc.oneof(context, fc.jsonValue({ maxDepth: 2 })) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: junkJsonText },
  { weight: 1, arbitrary: notJsonText },
);
// A URL cannot carry a lone surrogate (encodeURIComponent throws): keys are made well-formed.
const flagKey = fc
  .oneof(fc.constantFrom("transport.chat", "game.tick-hz", "no.such.flag", "transport.sse.enabled"), nastyString, fc.string({ minLength: 90, maxLength: 400 }))
  .map((key) => key.replace(/\p{Cs}/gu, "\uFFFD"));

/**
 * The oracle. A body the framework refuses before the route (not JSON, over
 * the size limit, prototype keys, nesting past its parser's bounds) is the
 * service's typed `validation`/`payload_too_large`; a well-formed request for
 * oneself is evaluated (or FLAG_NOT_FOUND); everything else is OFREP's 400.
 */
function expectOfrepAnswer(answer: HttpAnswer, sent: string, selfId: string, what: string, single: boolean): boolean {
  if (ErrorResponse.safeParse(answer.json).success) {
    const error = expectTypedRejection(answer, what);
    expect(["validation", "payload_too_large"], `${what}: refused before the route`).toContain(error.code);
    return false;
  }
  let json: unknown;
  try {
    json = JSON.parse(sent);
  } catch {
    json = undefined;
  }
  const parsed = OfrepRequest.safeParse(json ?? {});
  const forSelf = json !== undefined && Buffer.byteLength(sent) <= MAX_COMMAND_BYTES && parsed.success && parsed.data.context?.targetingKey === selfId;
  if (forSelf && answer.status === 200) {
    expect((single ? OfrepEvaluation : OfrepBulkResponse).safeParse(answer.json).success, `${what}: 200 body ${answer.text.slice(0, 200)}`).toBe(true);
    return true;
  }
  if (single && forSelf && answer.status === 404) {
    expect(answer.json, what).toMatchObject({ errorCode: "FLAG_NOT_FOUND" });
    return false;
  }
  expect(forSelf, `${what}: a well-formed request for oneself must be evaluated, got ${answer.status} ${answer.text.slice(0, 200)}`).toBe(false);
  expect(answer.status, `${what}: ${answer.status} ${answer.text.slice(0, 200)}`).toBe(400);
  expect(OfrepRequestError.safeParse(answer.json).success, `${what}: OFREP error body, got ${answer.text.slice(0, 200)}`).toBe(true);
  return false;
}

describe("OFREP routes over HTTP", () => {
  fuzzEdge("POST /ofrep/v1/evaluate/flags (fuzzed bodies and contexts)", [body], async (generated) => {
    const t = target();
    const sent = generated.replaceAll(JSON.stringify(SELF).slice(1, -1), t.fuzzer.user.id);
    const what = `POST ${OFREP_PATHS.bulk} ${describeValue(sent, 200)}`;
    const before = await t.digest();
    const answer = await t.errors.guard(what, request(`${t.baseUrl}${OFREP_PATHS.bulk}`, { method: "POST", headers: { ...t.authHeaders(), "content-type": "application/json" }, body: sent }));
    const accepted = expectOfrepAnswer(answer, sent, t.fuzzer.user.id, what, false);
    await t.expectDatabaseUnchanged(before, what);
    await t.caseDone(what);
    return accepted;
  });

  fuzzEdge("POST /ofrep/v1/evaluate/flags/:key (fuzzed keys)", [flagKey, body], async (key, generated) => {
    const t = target();
    const sent = generated.replaceAll(JSON.stringify(SELF).slice(1, -1), t.fuzzer.user.id);
    const what = `POST single ${describeValue(key, 80)} ${describeValue(sent, 160)}`;
    const before = await t.digest();
    const answer = await t.errors.guard(what, request(`${t.baseUrl}${OFREP_PATHS.single(key)}`, { method: "POST", headers: { ...t.authHeaders(), "content-type": "application/json" }, body: sent }));
    const accepted = expectOfrepAnswer(answer, sent, t.fuzzer.user.id, what, true);
    if (key.length > 100) expect(accepted, `${what}: a key past the router's bound`).toBe(false);
    await t.expectDatabaseUnchanged(before, what);
    await t.caseDone(what);
    return accepted;
  });
});
