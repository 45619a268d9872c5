import { describe, expect, test } from "vitest";
import { z } from "zod";
import {
  COMMAND_SPECS,
  Command,
  CommandResults,
  ERROR_CODES,
  ERROR_POLICY,
  EVENTS_BY_TOPIC_KIND,
  PROTOCOL_FEATURES,
  PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  composeProtocolFeatures,
  defineProtocolFeature,
  errorText,
  topicKind,
} from "../src/index";

describe("the protocol is composed from its feature modules", () => {
  test("every command type of every module is in the Command union, with its result schema", () => {
    const declared = PROTOCOL_FEATURES.flatMap((feature) => Object.keys(feature.commands)).sort();
    expect(Object.keys(COMMAND_SPECS).sort()).toEqual(declared);
    expect(Object.keys(CommandResults).sort()).toEqual(declared);
    const options = Command.options.map((option) => option.shape.type.value).sort();
    expect(options).toEqual(declared);
  });

  test("a command is checked against its own module's payload", () => {
    expect(Command.safeParse({ id: "abcdefgh", type: "chat.join", payload: { roomId: "lobby" } }).success).toBe(true);
    expect(Command.safeParse({ id: "abcdefgh", type: "chat.join", payload: { text: "hi" } }).success).toBe(false);
    expect(Command.safeParse({ id: "abcdefgh", type: "echo", payload: { text: "hi" } }).success).toBe(true);
    expect(Command.safeParse({ id: "abcdefgh", type: "notify.nothing", payload: {} }).success).toBe(false);
  });

  test("each topic kind's events come from its module", () => {
    expect(EVENTS_BY_TOPIC_KIND[topicKind("chat:lobby")]?.safeParse({ type: "message.deleted", payload: { messageId: crypto.randomUUID() } }).success).toBe(true);
    expect(EVENTS_BY_TOPIC_KIND.system?.safeParse({ type: "tick", payload: { n: 1 } }).success).toBe(true);
    expect(EVENTS_BY_TOPIC_KIND.echo?.safeParse({ type: "tick", payload: { n: 1 } }).success).toBe(false);
  });

  test("two modules claiming one topic kind or one command type are refused, naming both", () => {
    const spec = { payload: z.object({}), result: z.object({}) };
    const a = defineProtocolFeature({ name: "a", topicKinds: ["one"], commands: { "x.do": spec } });
    const sameKind = defineProtocolFeature({ name: "b", topicKinds: ["one"], commands: {} });
    const sameCommand = defineProtocolFeature({ name: "c", topicKinds: ["two"], commands: { "x.do": spec } });
    expect(() => composeProtocolFeatures([a, sameKind])).toThrow(/a and b both define the topic kind one/);
    expect(() => composeProtocolFeatures([a, sameCommand])).toThrow(/a and c both define the command type x.do/);
    expect(composeProtocolFeatures([a, defineProtocolFeature({ name: "d", topicKinds: ["two"], commands: {} })]).kinds).toEqual(["one", "two"]);
  });
});

describe("error policy", () => {
  test("every code has one policy with an HTTP error status and words for a person", () => {
    for (const code of ERROR_CODES) {
      expect(ERROR_POLICY[code].status).toBeGreaterThanOrEqual(400);
      expect(ERROR_POLICY[code].text.length).toBeGreaterThan(0);
    }
    // Only what the server did not run is resent; only input-shaped refusals end a topic.
    expect(ERROR_CODES.filter((code) => ERROR_POLICY[code].resend)).toEqual(["unavailable"]);
    expect(ERROR_CODES.filter((code) => ERROR_POLICY[code].endsTopic)).toEqual(["validation", "forbidden", "not_found"]);
    expect(ERROR_POLICY.unauthorized.fatal && ERROR_POLICY.unsupported_version.fatal).toBe(true);
    expect(ERROR_POLICY.rate_limited.fatal || ERROR_POLICY.unavailable.fatal || ERROR_POLICY.internal.fatal).toBe(false);
    // A switched-off transport is not the end: the client moves on.
    expect(ERROR_POLICY.transport_disabled.fatal).toBe(false);
  });

  test("errorText prefers the first issue, says when to retry, and falls back to the table", () => {
    expect(errorText({ code: "validation", message: "Invalid", issues: [{ path: ["name"], message: "Name is too long" }] })).toBe("Name is too long");
    expect(errorText({ code: "rate_limited", message: "Too many", retryAfter: 2.2 })).toBe("Slow down: try again in 3 s.");
    expect(errorText({ code: "forbidden", message: "Not allowed to read chat:x" })).toBe(ERROR_POLICY.forbidden.text);
  });
});

describe("version", () => {
  test("the current version is one the server supports", () => {
    expect(SUPPORTED_PROTOCOL_VERSIONS).toContain(PROTOCOL_VERSION);
  });
});
