import { fc } from "@fast-check/vitest";
import { ErrorBody } from "@repo/protocol";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { COMMAND_TYPES, anyCommandText, commandText, freshIds } from "./support/command-arbitraries";
import { cursorText, withUser } from "./support/cursor-arbitraries";
import { ackId, eventFrame } from "./support/frame-arbitraries";
import { describeValue, fuzzEdge, printSummaryAfterAll } from "./support/fuzz-config";
import { useFuzzServer } from "./support/fuzz-server";
import { junkJsonText, nastyString } from "./support/json-arbitraries";
import { RawSocket } from "../support/raw-socket";
import { runFrameCase } from "./support/socket-case";

/*
 * The socket.io events of the protocol, as raw frames: `command` (every type),
 * `subscribe`, `unsubscribe`, and the namespace connect with its auth payload.
 */
const target = useFuzzServer();
printSummaryAfterAll("socket-commands");

function commandCase(body: string, id: string) {
  const c = eventFrame('"command"', [freshIds(body)], id);
  return runFrameCase(target(), c.frames, c.expectation, describeValue(c.label, 200));
}

describe("socket.io command, subscribe and unsubscribe frames", () => {
  for (const type of COMMAND_TYPES) {
    fuzzEdge(`socket command ${type} (valid-looking envelopes, fuzzed members)`, [commandText(type), ackId], commandCase);
  }

  fuzzEdge("socket command unknown types, hostile values, deep nesting, huge strings and arrays", [anyCommandText, ackId], commandCase, {
    examples: [
      [`${"[".repeat(8000)}${"]".repeat(8000)}`, "1"],
      [`{"id":"abcdefgh12","type":"echo","payload":${"[".repeat(8000)}${"]".repeat(8000)}}`, "2"],
    ],
  });

  type SubscribePayload = { kind: "cursor"; cursor: string } | { kind: "payload"; text: string };
  const subscribePayload: fc.Arbitrary<SubscribePayload> = fc.oneof(
    { weight: 6, arbitrary: cursorText.map((cursor) => ({ kind: "cursor" as const, cursor })) },
    { weight: 3, arbitrary: junkJsonText.map((text) => ({ kind: "payload" as const, text })) },
    { weight: 1, arbitrary: junkJsonText.map((text) => ({ kind: "payload" as const, text: `{"cursor":${text}}` })) },
  );
  fuzzEdge(
    "socket subscribe (fuzzed cursors and payloads)",
    [subscribePayload, fc.option(ackId, { nil: undefined, freq: 8 })],
    (payload: SubscribePayload, id: string | undefined) => {
      const t = target();
      const arg = payload.kind === "cursor" ? JSON.stringify({ cursor: withUser(payload.cursor, t.fuzzer.user.id) }) : payload.text;
      const c = eventFrame('"subscribe"', [arg], id);
      return runFrameCase(t, c.frames, c.expectation, describeValue(c.label, 200));
    },
    { examples: [[{ kind: "cursor", cursor: "system:ticker@" }, "5"], [{ kind: "payload", text: '{"cursor":["system:ticker@","system:ticker@"]}' }, "6"]] },
  );

  const topicsPayload = fc.oneof(
    fc.array(fc.oneof(cursorText, nastyString), { maxLength: 20 }).map((topics) => JSON.stringify({ topics })),
    junkJsonText.map((text) => `{"topics":${text}}`),
    junkJsonText,
  );
  fuzzEdge("socket unsubscribe (fuzzed payloads)", [topicsPayload, fc.option(ackId, { nil: undefined, freq: 8 })], (payload, id) => {
    const c = eventFrame('"unsubscribe"', [payload], id);
    return runFrameCase(target(), c.frames, c.expectation, describeValue(c.label, 200));
  });

  // The namespace connect: `40<auth>`. Only `{ token: <a valid session token> }` may connect.
  const ConnectError = z.object({ message: z.string(), data: ErrorBody.optional() });
  const authPayload = fc.oneof(
    junkJsonText,
    fc.constantFrom("VALID", "VALID_EXTRA", "TRUNCATED", "TAMPERED", "ALG_NONE", "QUOTED"),
    nastyString.map((token) => JSON.stringify({ token })),
  );
  fuzzEdge("socket namespace connect (fuzzed auth payloads)", [authPayload], async (auth) => {
    const t = target();
    const token = t.fuzzer.token;
    const [header, payload] = token.split(".");
    const texts: Record<string, string> = {
      VALID: JSON.stringify({ token }),
      VALID_EXTRA: JSON.stringify({ token, __proto__x: 1, admin: true }),
      TRUNCATED: JSON.stringify({ token: token.slice(0, -10) }),
      TAMPERED: JSON.stringify({ token: `${header}.${payload!.slice(0, 10)}A${payload!.slice(11)}.${token.split(".")[2]}` }),
      ALG_NONE: JSON.stringify({ token: `${Buffer.from('{"alg":"none"}').toString("base64url")}.${payload}.` }),
      QUOTED: JSON.stringify({ token: JSON.stringify(token) }),
    };
    const text = texts[auth] ?? auth;
    const maybeValid = auth === "VALID" || auth === "VALID_EXTRA";
    const what = `40${describeValue(text, 160)}`;
    const before = await t.digest();
    const socket = await RawSocket.open(t.baseUrl);
    let connected = false;
    try {
      const from = socket.messages.length;
      socket.send(`40${text}`);
      const answer = await t.errors.guard(
        what,
        socket.waitFor((m) => m.kind === "text" && /^4[04]/.test(m.text), undefined, "connect answer", from),
      );
      if (answer?.kind === "text" && answer.text.startsWith("40")) {
        expect(maybeValid, `${what}: connected without a valid token`).toBe(true);
        connected = true;
      } else if (answer?.kind === "text") {
        const error = ConnectError.safeParse(JSON.parse(answer.text.slice(2)));
        expect(error.success, `${what}: connect error must be { message, data: ErrorBody }: ${answer.text.slice(0, 200)}`).toBe(true);
        expect(error.data?.data?.code, `${what}: connect error code`).toBe("unauthorized");
      }
    } finally {
      socket.close();
    }
    await t.expectDatabaseUnchanged(before, what);
    await t.caseDone(what);
    return connected;
  });

  test("the service is still serving after the socket fuzzing", async () => {
    await target().expectServing("after socket command/subscribe/unsubscribe fuzzing");
  });
});
