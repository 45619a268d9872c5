import { fc } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { CommandResult, CommandResults } from "@repo/protocol";
import { COMMAND_TYPES, FRESH_ID, anyCommandText, commandText, freshIds, validCommand } from "./support/command-arbitraries";
import { describeValue, fuzzEdge, printSummaryAfterAll } from "./support/fuzz-config";
import { useFuzzServer } from "./support/fuzz-server";
import { request } from "./support/http-answers";
import { expectCommandAnswer, httpCommandVerdict } from "./support/http-commands-oracle";
import { notJsonText } from "./support/json-arbitraries";

/*
 * POST /v1/commands with hostile bodies: every command type of the protocol
 * with wrong payloads and members, unknown types, bodies that are not JSON,
 * and content types that are not JSON.
 */
const target = useFuzzServer();
printSummaryAfterAll("http-commands");

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "text/plain",
  "text/plain; charset=utf-8",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/octet-stream",
  "application/json; charset=utf-16",
  "application/vnd.api+json",
  "text/json",
  "application/jsonp",
  "",
  undefined,
] as const;

async function postCommand(generated: string | Uint8Array, contentType: string | undefined) {
  const t = target();
  const body = typeof generated === "string" ? freshIds(generated) : generated;
  const what = `POST /v1/commands [${String(contentType)}] ${describeValue(typeof body === "string" ? body : `<${body.length} bytes>`, 160)}`;
  const verdict = httpCommandVerdict(body, contentType);
  const before = await t.digest();
  const headers: Record<string, string> = { ...t.authHeaders() };
  if (contentType !== undefined) headers["content-type"] = contentType;
  const answer = await t.errors.guard(what, request(`${t.baseUrl}/v1/commands`, { method: "POST", headers, body }));
  const accepted = expectCommandAnswer(answer, verdict, what);
  if (!accepted) await t.expectDatabaseUnchanged(before, what);
  await t.caseDone(what);
  return accepted;
}

describe("POST /v1/commands", () => {
  for (const type of COMMAND_TYPES) {
    fuzzEdge(`POST /v1/commands ${type} (valid-looking envelopes, fuzzed members)`, [commandText(type)], (body) =>
      postCommand(body, "application/json"),
    );
  }

  fuzzEdge(
    "POST /v1/commands unknown types, hostile values, deep nesting, huge strings and arrays",
    [anyCommandText],
    (body) => postCommand(body, "application/json"),
    {
      examples: [
        [`[${"[".repeat(8000)}${"]".repeat(8000)}]`],
        [`{"id":"abcdefgh12","type":"echo","payload":${"[".repeat(8000)}${"]".repeat(8000)}}`],
        ['{"id":"abcdefgh12","type":"__proto__","payload":{}}'],
        ['{"__proto__":{"type":"echo"},"id":"abcdefgh12","payload":{"text":"x"}}'],
      ],
    },
  );

  fuzzEdge(
    "POST /v1/commands non-JSON bodies and wrong content types",
    [
      fc.oneof(notJsonText, anyCommandText, fc.uint8Array({ maxLength: 256 })),
      fc.constantFrom(...CONTENT_TYPES),
    ],
    (body, contentType) => postCommand(body, contentType),
  );

  // A command id is the idempotency key. Reusing one for a different command is not a retry:
  // whatever the server answers, it must never be a result of another command type.
  const twoTypes = fc
    .tuple(fc.constantFrom(...COMMAND_TYPES), fc.constantFrom(...COMMAND_TYPES))
    .filter(([a, b]) => a !== b)
    .chain(([a, b]) => fc.tuple(validCommand(a), validCommand(b)));
  fuzzEdge("POST /v1/commands id reused by a command of another type", [twoTypes], async ([first, second]) => {
    const t = target();
    const id = JSON.parse(freshIds(JSON.stringify(FRESH_ID))) as string;
    const post = (command: object) =>
      t.errors.guard(
        "id reuse",
        request(`${t.baseUrl}/v1/commands`, {
          method: "POST",
          headers: { ...t.authHeaders(), "content-type": "application/json" },
          body: JSON.stringify({ ...command, id }),
        }),
      );
    await post(first);
    const what = `${first.type} then ${second.type} with the same id`;
    const before = await t.digest();
    const answer = await post(second);
    const accepted = answer.status === 200;
    if (accepted) {
      const result = CommandResult.parse(answer.json);
      expect(result.ok, what).toBe(true);
      const typed = result.ok ? CommandResults[second.type].safeParse(result.result) : undefined;
      expect(typed?.success, `${what}: answered with a result that is not a ${second.type} result: ${answer.text.slice(0, 300)}`).toBe(true);
    } else {
      expectCommandAnswer(answer, { valid: false, why: "id already used by another command" }, what);
      await t.expectDatabaseUnchanged(before, what);
    }
    await t.caseDone(what);
    return accepted;
  });

  test("the service is still serving after the command fuzzing", async () => {
    await target().expectServing("after POST /v1/commands fuzzing");
  });
});
