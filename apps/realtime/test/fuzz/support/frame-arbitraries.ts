import { fc } from "@fast-check/vitest";
import { MAX_COMMAND_BYTES } from "@repo/protocol";
import { commandVerdict } from "./command-arbitraries";
import { cursorMaybeValid } from "./cursor-arbitraries";
import { deepNestingText, junkJsonText } from "./json-arbitraries";
import { PROBE_ACK_ID, type FrameExpectation } from "./socket-case";

/** One raw case: the frames to send and what the protocol asks of the server. */
export interface FrameCase {
  label: string;
  frames: Array<string | Buffer>;
  expectation: FrameExpectation;
}

/** socket.io's `maxHttpBufferSize` on this service: twice the command limit. */
export const FRAME_LIMIT = MAX_COMMAND_BYTES * 2;

/** Ack ids: small, with leading zeros, at 2^53, and far past any number. */
export const ackId: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 100_000 }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom("0", "00012", "9007199254740993", "18446744073709551616") },
    { weight: 1, arbitrary: fc.integer({ min: 16, max: 600 }).map((n) => "9".repeat(n)) },
  )
  .filter((id) => id !== PROBE_ACK_ID);

const KNOWN_EVENTS = ["command", "subscribe", "unsubscribe"] as const;

/** Event names no handler listens to, including socket.io's and Node's reserved ones. */
export const unknownEventName = fc.oneof(
  fc.constantFrom(
    "connect",
    "connect_error",
    "connection",
    "disconnect",
    "disconnecting",
    "error",
    "newListener",
    "removeListener",
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "event",
    "closing",
    "Command",
    "command ",
    "",
  ),
  fc.string({ maxLength: 20 }),
);

/** The expectation for an event frame, decided from the frame itself. */
export function eventExpectation(name: unknown, args: unknown[] | "unparseable", id: string | undefined): FrameExpectation {
  if (id === undefined || args === "unparseable" || typeof name !== "string") return { kind: "other" };
  if (name === "command") return { kind: "command", ackId: id, verdict: args.length === 1 ? commandVerdict(args[0]) : { valid: false, why: `${args.length} arguments` } };
  if (name === "subscribe") {
    const request = args.length === 1 ? (args[0] as { cursor?: unknown } | null) : null;
    const valid = request !== null && typeof request === "object" && !Array.isArray(request) && cursorMaybeValid(request.cursor);
    return { kind: "subscribe", ackId: id, valid };
  }
  if (name === "unsubscribe") return { kind: "unsubscribe", ackId: id };
  return { kind: "other" };
}

/** `42<id>[name,…args]` from JSON texts; the expectation comes from parsing it back. */
export function eventFrame(nameText: string, argTexts: string[], id: string | undefined): FrameCase {
  const frame = `42${id ?? ""}[${[nameText, ...argTexts].join(",")}]`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame.slice(2 + (id?.length ?? 0)));
  } catch {
    parsed = undefined;
  }
  const array = Array.isArray(parsed) ? parsed : undefined;
  const expectation =
    array && Buffer.byteLength(frame) <= FRAME_LIMIT ? eventExpectation(array[0], array.slice(1), id) : { kind: "other" as const };
  return { label: frame, frames: [frame], expectation };
}

/** Unknown and reserved event names, with and without ack ids and hostile arguments. */
export const unknownEventCase: fc.Arbitrary<FrameCase> = fc
  .tuple(unknownEventName, fc.array(junkJsonText, { maxLength: 3 }), fc.option(ackId, { nil: undefined }))
  .map(([name, args, id]) => eventFrame(JSON.stringify(name), args, id));

/** Known events with the wrong number or kinds of arguments, acked or not. */
export const wrongArgumentsCase: fc.Arbitrary<FrameCase> = fc
  .tuple(fc.constantFrom(...KNOWN_EVENTS), fc.array(junkJsonText, { maxLength: 4 }), fc.option(ackId, { nil: undefined, freq: 6 }))
  .map(([name, args, id]) => eventFrame(JSON.stringify(name), args, id));

/** Deep nesting (F1) in every argument position of every known event. */
export const deepNestingCase: fc.Arbitrary<FrameCase> = fc
  .tuple(fc.constantFrom(...KNOWN_EVENTS, "unknown"), deepNestingText, fc.option(ackId, { nil: undefined, freq: 8 }), fc.constantFrom("bare", "cursor", "topics"))
  .map(([name, deep, id, wrap]) => {
    const arg = wrap === "bare" ? deep : wrap === "cursor" ? `{"cursor":${deep}}` : `{"topics":${deep}}`;
    return eventFrame(JSON.stringify(name), [arg], id);
  });

/** Packets of types a client must not send, or sends out of place, and broken socket.io encodings. */
export const badPacketCase: fc.Arbitrary<FrameCase> = fc
  .constantFrom(
    "",
    "0",
    "1",
    "2probe",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "x",
    "40",
    '40{"token":1}',
    "43",
    `43999["whatever"]`,
    "44{}",
    "45",
    "451-",
    "46",
    "47",
    "49",
    "4x",
    "4/",
    "4/admin,",
    '42/admin,["command",{}]',
    '421/admin,["command",{}]',
    '40/admin,{"token":"x"}',
    "42",
    "42[",
    '42["command",{]',
    "42{}",
    '42"command"',
    "42null",
    "42[]",
    "42[1,2]",
    "42[null]",
    "42[{}]",
    "42[[]]",
    '42["command"]x',
    '42 ["command",{}]',
    "42\u0000",
    '42["\uD800",{}]',
    "4" + "2".repeat(100),
  )
  .map((frame) => ({ label: frame, frames: [frame], expectation: { kind: "other" as const } }));

/** Binary events: placeholders that match, point nowhere, or come with too few or too many attachments. */
export const binaryCase: fc.Arbitrary<FrameCase> = fc
  .tuple(
    fc.constantFrom(...KNOWN_EVENTS, "unknown"),
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: -1, max: 4 }),
    fc.integer({ min: 0, max: 4 }),
    fc.uint8Array({ maxLength: 64 }),
    fc.option(ackId, { nil: undefined, freq: 6 }),
    fc.constantFrom("bare", "nested", "cursor"),
  )
  .map(([name, declared, num, sent, bytes, id, wrap]) => {
    const placeholder = `{"_placeholder":true,"num":${num}}`;
    const arg = wrap === "bare" ? placeholder : wrap === "nested" ? `{"id":"abcdefgh12","type":"echo","payload":{"text":${placeholder}}}` : `{"cursor":${placeholder}}`;
    const header = `45${declared}-${id ?? ""}[${JSON.stringify(name)},${arg}]`;
    const attachments = Array.from({ length: sent }, () => Buffer.from(bytes));
    // A binary payload never parses as a command or a cursor: only a typed refusal or a close will do.
    const complete = declared === sent && declared > 0 && num >= 0 && num < declared;
    const expectation: FrameExpectation =
      !complete || id === undefined
        ? { kind: "other" }
        : name === "command"
          ? { kind: "command", ackId: id, verdict: { valid: false, why: "binary attachment" } }
          : name === "subscribe"
            ? { kind: "subscribe", ackId: id, valid: false }
            : name === "unsubscribe"
              ? { kind: "unsubscribe", ackId: id }
              : { kind: "other" };
    return { label: `${header} + ${sent} binary frame(s) of ${bytes.length} bytes`, frames: [header, ...attachments], expectation };
  });

/** A binary frame with no binary event announced, or invalid UTF-8 where text is expected. */
export const strayBinaryCase: fc.Arbitrary<FrameCase> = fc
  .uint8Array({ minLength: 0, maxLength: 128 })
  .map((bytes) => ({ label: `stray binary frame of ${bytes.length} bytes`, frames: [Buffer.from(bytes)], expectation: { kind: "other" as const } }));

/** `command` frames sized around the frame limit (32 KiB) and far past it. */
export const sizeLimitCase: fc.Arbitrary<FrameCase> = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: FRAME_LIMIT - 8, max: FRAME_LIMIT + 8 }),
      fc.integer({ min: MAX_COMMAND_BYTES - 8, max: MAX_COMMAND_BYTES + 8 }),
      fc.constantFrom(64 * 1024, 1024 * 1024, 4 * 1024 * 1024),
    ),
    fc.option(ackId, { nil: undefined, freq: 6 }),
  )
  .map(([total, id]) => {
    const prefix = `42${id ?? ""}["command",{"id":"abcdefgh12","type":"echo","payload":{"text":"`;
    const suffix = `"}}]`;
    const text = "a".repeat(Math.max(0, total - prefix.length - suffix.length));
    const frame = prefix + text + suffix;
    const c = eventFrame(JSON.stringify("command"), [`{"id":"abcdefgh12","type":"echo","payload":{"text":"${text}"}}`], id);
    return { label: `command frame of ${frame.length} bytes${id ? ` with ack ${id}` : ""}`, frames: [frame], expectation: c.expectation };
  });

/** The frame of review finding F1: an acked command nested `depth` levels deep. */
export function f1Frame(depth: number, id = "1"): string {
  return `42${id}["command",${"[".repeat(depth)}${"]".repeat(depth)}]`;
}
