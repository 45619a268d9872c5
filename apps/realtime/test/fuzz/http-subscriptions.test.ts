import { fc } from "@fast-check/vitest";
import { PollResponse, StreamReady, TicketResponse } from "@repo/protocol";
import { describe, expect, test } from "vitest";
import { ME, cursorMaybeValid, cursorText } from "./support/cursor-arbitraries";
import { describeValue, fuzzEdge, printSummaryAfterAll } from "./support/fuzz-config";
import { useFuzzServer, type FuzzTarget } from "./support/fuzz-server";
import { HTTP_WAIT_MS, expectTypedRejection, request, type HttpAnswer } from "./support/http-answers";
import {
  FRESH_TICKET,
  USED_TICKET,
  decodings,
  encodeLoose,
  queryParams,
  queryString,
  repeatedQueryParams,
  valuesOf,
  type QueryParam,
} from "./support/query-arbitraries";

/*
 * The subscription requests over HTTP: short poll, long poll (timeout=0) and
 * SSE, with fuzzed and repeated query parameters and Last-Event-ID headers.
 */
const target = useFuzzServer();
printSummaryAfterAll("http-subscriptions");

/** The oracle: may this request succeed? Only with one valid cursor and no ticket, or one fresh one. */
function subscriptionVerdict(params: QueryParam[], lastEventId?: string): { maybeValid: boolean; why: string } {
  const tickets = valuesOf(params, "ticket");
  if (tickets.length > 1) return { maybeValid: false, why: "repeated ticket" };
  if (tickets.length === 1 && tickets[0] !== FRESH_TICKET) return { maybeValid: false, why: "bad ticket" };
  // Last-Event-ID, when present and not empty, takes precedence over the cursor query (docs/protocol.md).
  const header = lastEventId?.trim();
  if (header) return cursorMaybeValid(header) ? { maybeValid: true, why: "" } : { maybeValid: false, why: "bad Last-Event-ID" };
  const cursors = valuesOf(params, "cursor");
  if (cursors.length !== 1) return { maybeValid: false, why: `${cursors.length} cursor parameters` };
  return decodings(cursors[0]!).some(cursorMaybeValid) ? { maybeValid: true, why: "" } : { maybeValid: false, why: "bad cursor" };
}

/** Puts the fuzzing user's id where the generated cursor says so. */
function forUser(text: string, userId: string): string {
  return text.split(ME).join(userId).split(encodeURIComponent(ME)).join(userId);
}

async function ticketFor(t: FuzzTarget, used: boolean): Promise<string> {
  const answer = await request(`${t.baseUrl}/v1/sse/ticket`, { method: "POST", headers: t.authHeaders() });
  const { ticket } = TicketResponse.parse(answer.json);
  if (used) await request(`${t.baseUrl}/v1/poll?cursor=system:ticker@&ticket=${ticket}`);
  return ticket;
}

/** The params as sent: the user's id in, markers replaced by real tickets. */
async function materialise(t: FuzzTarget, params: QueryParam[]): Promise<QueryParam[]> {
  const out: QueryParam[] = [];
  for (const p of params) {
    const raw = p.raw === FRESH_TICKET || p.raw === USED_TICKET ? await ticketFor(t, p.raw === USED_TICKET) : forUser(p.raw, t.fuzzer.user.id);
    out.push({ key: p.key, raw });
  }
  return out;
}

async function pollCase(path: "/v1/poll" | "/v1/long-poll", generated: QueryParam[], ifNoneMatch: string | undefined) {
  const t = target();
  const params = await materialise(t, generated);
  if (path === "/v1/long-poll" && valuesOf(params, "timeout").length === 0) params.push({ key: "timeout", raw: "0" });
  const verdict = subscriptionVerdict(params.map((p, i) => ({ ...p, raw: generated[i]?.raw === FRESH_TICKET ? FRESH_TICKET : p.raw })));
  const url = `${t.baseUrl}${path}${queryString(params)}`;
  const what = `GET ${path}${describeValue(queryString(params), 200)}`;
  const before = await t.digest();
  const headers: Record<string, string> = { ...t.authHeaders() };
  if (ifNoneMatch !== undefined) headers["if-none-match"] = ifNoneMatch;
  const answer = await t.errors.guard(what, request(url, { headers }));
  const accepted = verdict.maybeValid && (answer.status === 200 || answer.status === 304);
  if (accepted) {
    if (answer.status === 200) expect(PollResponse.safeParse(answer.json).success, `${what}: 200 must carry a PollResponse: ${answer.text.slice(0, 300)}`).toBe(true);
  } else {
    expectTypedRejection(answer, `${what} (${verdict.maybeValid ? "valid" : verdict.why})`);
    await t.expectDatabaseUnchanged(before, what);
  }
  await t.caseDone(what);
  return accepted;
}

/** Opens an SSE request; a stream is read up to its `ready` frame (bounded), then dropped. */
async function openSse(url: string, headers: Record<string, string>): Promise<HttpAnswer & { ready?: unknown }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no SSE answer or ready frame within ${HTTP_WAIT_MS} ms`)), HTTP_WAIT_MS);
  try {
    const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: controller.signal });
    if (!(response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    }
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      const ready = /(?:^|\n)event: ready\n(?:id: [^\n]*\n)?data: ([^\n]*)\n\n/.exec(buffer);
      if (ready) return { status: response.status, headers: response.headers, text: buffer, json: undefined, ready: JSON.parse(ready[1]!) };
    }
    return { status: response.status, headers: response.headers, text: buffer, json: undefined };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** Header-safe text (printable ASCII): anything else is percent-encoded first. */
const headerSafe = (v: string) => (/^[\x20-\x7e]*$/.test(v) ? v : encodeLoose(v));

async function sseCase(generated: QueryParam[], lastEventIdGenerated: string | undefined) {
  const t = target();
  const params = await materialise(t, generated);
  const lastEventId = lastEventIdGenerated === undefined ? undefined : forUser(lastEventIdGenerated, t.fuzzer.user.id);
  const verdict = subscriptionVerdict(
    params.map((p, i) => ({ ...p, raw: generated[i]?.raw === FRESH_TICKET ? FRESH_TICKET : p.raw })),
    lastEventId,
  );
  const what = `GET /v1/sse${describeValue(queryString(params), 160)} Last-Event-ID=${describeValue(lastEventId, 80)}`;
  const before = await t.digest();
  const headers: Record<string, string> = { ...t.authHeaders() };
  if (lastEventId !== undefined) headers["last-event-id"] = lastEventId;
  const answer = await t.errors.guard(what, openSse(`${t.baseUrl}/v1/sse${queryString(params)}`, headers));
  const accepted = verdict.maybeValid && answer.status === 200;
  if (accepted) {
    expect(StreamReady.safeParse(answer.ready).success, `${what}: a stream must reach its ready frame: ${answer.text.slice(0, 300)}`).toBe(true);
  } else {
    expectTypedRejection(answer, `${what} (${verdict.maybeValid ? "valid" : verdict.why})`);
    await t.expectDatabaseUnchanged(before, what);
  }
  await t.caseDone(what);
  return accepted;
}

describe("subscription requests over HTTP", () => {
  const ifNoneMatch: fc.Arbitrary<string | undefined> = fc.option(fc.constantFrom('"x"', "*", "", 'W/"abc"', '"' + "a".repeat(4000) + '"', "\t"), { nil: undefined, freq: 3 });

  const POLL_KEYS = ["cursor", "signals", "ticket"];
  const LONG_POLL_KEYS = ["cursor", "signals", "ticket", "timeout"];
  fuzzEdge("GET /v1/poll (fuzzed query parameters)", [queryParams(POLL_KEYS), ifNoneMatch], (params, inm) => pollCase("/v1/poll", params, inm));
  fuzzEdge("GET /v1/poll (repeated query parameters)", [repeatedQueryParams(POLL_KEYS), ifNoneMatch], (params, inm) => pollCase("/v1/poll", params, inm), {
    examples: [
      [[{ key: "cursor", raw: "a" }, { key: "cursor", raw: "b" }], undefined],
      [[{ key: "cursor", raw: "system:ticker@" }, { key: "cursor", raw: "system:ticker@" }], undefined],
      [[{ key: "cursor", raw: "system:ticker@" }, { key: "ticket", raw: "a" }, { key: "ticket", raw: "b" }], undefined],
    ],
  });

  fuzzEdge("GET /v1/long-poll timeout=0 (fuzzed query parameters)", [queryParams(LONG_POLL_KEYS), ifNoneMatch], (params, inm) =>
    pollCase("/v1/long-poll", params, inm),
  );
  fuzzEdge(
    "GET /v1/long-poll timeout=0 (repeated query parameters)",
    [repeatedQueryParams(LONG_POLL_KEYS), ifNoneMatch],
    (params, inm) => pollCase("/v1/long-poll", params, inm),
    { examples: [[[{ key: "cursor", raw: "a" }, { key: "cursor", raw: "b" }, { key: "timeout", raw: "0" }], undefined]] },
  );

  const lastEventIdArb: fc.Arbitrary<string | undefined> = fc.option(cursorText.map(headerSafe), { nil: undefined, freq: 2 });
  fuzzEdge("GET /v1/sse (fuzzed cursor query and Last-Event-ID)", [queryParams(["cursor", "ticket"]), lastEventIdArb], sseCase);
  fuzzEdge("GET /v1/sse (repeated query parameters)", [repeatedQueryParams(["cursor", "ticket"]), lastEventIdArb], sseCase, {
    examples: [[[{ key: "cursor", raw: "a" }, { key: "cursor", raw: "b" }], undefined]],
  });

  test("the service is still serving after the subscription fuzzing", async () => {
    await target().expectServing("after HTTP subscription fuzzing");
  });
});
