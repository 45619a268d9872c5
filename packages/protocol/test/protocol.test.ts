import { describe, expect, test } from "vitest";
import {
  Command,
  CommandResult,
  CreateSessionRequest,
  CursorString,
  EventEnvelope,
  httpStatusOf,
  PROTOCOL_VERSION,
  PollResponse,
  ProtocolError,
  ERROR_CODES,
  ResetSignal,
  Topic,
  TOPIC_KINDS,
  PROTOCOL_FEATURES,
  TransportName,
  decodeCursor,
  encodeCursor,
  parseOrThrow,
  topicId,
  topicKind,
  visibleLength,
} from "../src/index";

describe("version and names", () => {
  test("PROTOCOL_VERSION is a positive integer", () => {
    expect(Number.isInteger(PROTOCOL_VERSION)).toBe(true);
    expect(PROTOCOL_VERSION).toBeGreaterThan(0);
  });

  test("the four transports are named", () => {
    expect(TransportName.options).toEqual(["polling", "long-polling", "sse", "websocket"]);
    expect(TransportName.safeParse("comet").success).toBe(false);
  });

  test("every error code maps to an HTTP status", () => {
    for (const code of ERROR_CODES) expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
    expect(httpStatusOf("rate_limited")).toBe(429);
    expect(httpStatusOf("payload_too_large")).toBe(413);
  });
});

describe("topics", () => {
  test.each(["chat:lobby", "echo:abc", "system:ticker", "chat:g-1_x"])("accepts %s", (topic) => {
    expect(Topic.safeParse(topic).success).toBe(true);
  });
  test("accepts every kind a feature module declares, and only those", () => {
    expect([...TOPIC_KINDS].sort()).toEqual(PROTOCOL_FEATURES.flatMap((feature) => [...feature.topicKinds]).sort());
    for (const kind of TOPIC_KINDS) expect(Topic.safeParse(`${kind}:x1`).success).toBe(true);
  });
  test.each(["lobby", "chat:", "chat:a b", "admin:x", "Chat:x", "chat:" + "x".repeat(65), "chat:a,b", "chat:a@b", "xchat:a", "chat:a\n"])("refuses %s", (topic) => {
    expect(Topic.safeParse(topic).success).toBe(false);
  });
  test("splits kind and id", () => {
    expect(topicKind("chat:lobby")).toBe("chat");
    expect(topicId("chat:lobby")).toBe("lobby");
  });
});

describe("cursors", () => {
  test("round-trip through the compact string form", () => {
    const map = { "chat:lobby": { epoch: "k3j2", offset: 41 }, "system:ticker": null };
    const text = encodeCursor(map);
    expect(text).toBe("chat:lobby@k3j2.41,system:ticker@");
    expect(decodeCursor(text)).toEqual(map);
    expect(CursorString.safeParse(text).success).toBe(true);
  });

  test.each(["chat:lobby", "chat:lobby@k3j2", "chat:lobby@k3j2.-1", "chat:lobby@.4", "bogus:x@a.1", "chat:lobby@a.1,,"])(
    "refuses the malformed cursor %s",
    (text) => {
      expect(decodeCursor(text)).toBeNull();
      expect(CursorString.safeParse(text).success).toBe(false);
    },
  );
});

describe("events", () => {
  const event = { topic: "chat:lobby", offset: 7, epoch: "e1", type: "message", payload: { text: "hi" }, ts: 1_700_000_000_000 };

  test("a valid envelope parses", () => {
    expect(EventEnvelope.parse(event)).toEqual(event);
  });

  test.each([
    ["offset 0", { ...event, offset: 0 }],
    ["fractional offset", { ...event, offset: 1.5 }],
    ["bad topic", { ...event, topic: "lobby" }],
    ["no type", { ...event, type: "" }],
    ["no timestamp", { ...event, ts: undefined }],
  ])("refuses an envelope with %s", (_label, bad) => {
    expect(EventEnvelope.safeParse(bad).success).toBe(false);
  });

  test("poll responses and resets", () => {
    const reset = { topic: "chat:lobby", reason: "retention", position: { epoch: "e2", offset: 90 } };
    expect(ResetSignal.parse(reset)).toEqual(reset);
    expect(ResetSignal.safeParse({ ...reset, reason: "because" }).success).toBe(false);
    const poll = { v: 1, events: [event], resets: [reset], cursor: "chat:lobby@e2.90", more: false, signals: [], signalsSince: 0 };
    expect(PollResponse.parse(poll)).toEqual(poll);
  });
});

describe("commands", () => {
  test("a valid echo command parses", () => {
    const command = { id: "cmd_12345678", type: "echo", payload: { text: "hello" } };
    expect(Command.parse(command)).toEqual(command);
  });

  test.each([
    ["a short id", { id: "abc", type: "echo", payload: { text: "x" } }],
    ["an id with spaces", { id: "abc def ghi", type: "echo", payload: { text: "x" } }],
    ["an unknown type", { id: "cmd_12345678", type: "drop_tables", payload: {} }],
    ["empty text", { id: "cmd_12345678", type: "echo", payload: { text: "" } }],
    ["text over 2000 chars", { id: "cmd_12345678", type: "echo", payload: { text: "x".repeat(2001) } }],
    ["no payload", { id: "cmd_12345678", type: "echo" }],
  ])("refuses %s", (_label, command) => {
    expect(Command.safeParse(command).success).toBe(false);
  });

  test("results are ok or a typed error", () => {
    expect(CommandResult.parse({ ok: true, id: "c1", result: { a: 1 } }).ok).toBe(true);
    const failed = CommandResult.parse({ ok: false, id: null, error: { code: "rate_limited", message: "slow", retryAfter: 3 } });
    expect(failed.ok).toBe(false);
    expect(CommandResult.safeParse({ ok: false, id: "c1", error: { code: "teapot", message: "?" } }).success).toBe(false);
  });
});

describe("display names", () => {
  test.each([
    ["Ada", "Ada"],
    ["  Grace  ", "Grace"],
    ["x".repeat(32), "x".repeat(32)],
    ["👩‍💻".repeat(32), "👩‍💻".repeat(32)],
    ["e\u0301", "é"],
  ])("accepts %j as %j", (input, expected) => {
    expect(CreateSessionRequest.parse({ name: input }).name).toBe(expected);
  });

  test.each([
    ["empty", ""],
    ["blank", "   "],
    ["too long", "x".repeat(33)],
    ["a NUL", "a\u0000b"],
    ["a newline", "a\nb"],
    ["a bidi override", "a\u202Eb"],
    ["a zero-width space only", "\u200B"],
  ])("refuses %s", (_label, name) => {
    expect(CreateSessionRequest.safeParse({ name }).success).toBe(false);
  });

  test("counts grapheme clusters", () => {
    expect(visibleLength("👩‍💻a")).toBe(2);
  });
});

describe("ProtocolError", () => {
  test("parseOrThrow turns zod issues into a typed validation error", () => {
    try {
      parseOrThrow(CreateSessionRequest, { name: "" }, "session request");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      const body = (error as ProtocolError).toBody();
      expect(body.code).toBe("validation");
      expect(body.issues?.[0]?.path).toEqual(["name"]);
    }
  });

  test("round-trips through its body", () => {
    const error = new ProtocolError("rate_limited", "slow down", { retryAfter: 2 });
    expect(ProtocolError.fromBody(error.toBody())).toMatchObject({ code: "rate_limited", retryAfter: 2 });
  });
});
