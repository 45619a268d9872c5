import { fc } from "@fast-check/vitest";
import { Command, CommandResults, MAX_COMMAND_BYTES, type CommandType } from "@repo/protocol";
import type { z } from "zod";
import { junkJsonText, nastyString, nastyStringText } from "./json-arbitraries";

/** Every command type of the protocol's `Command` union (a feature adding one is fuzzed too). */
export const COMMAND_TYPES = Object.keys(CommandResults) as CommandType[];

/** The payload field names of one command type, read from the protocol's own schema. */
function payloadFields(type: CommandType): string[] {
  const option = Command.options.find((o) => o.shape.type.value === type);
  if (!option) throw new Error(`no schema for ${type}`);
  const payload = option.shape.payload as unknown as z.ZodObject;
  return Object.keys(payload.shape);
}

const roomIdLike = fc.oneof(
  fc.constantFrom("lobby", "no-such-room", "LOBBY", "lobby ", "-lobby", "a".repeat(33), "", "chat:lobby", "__proto__"),
  fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,31}$/),
  nastyString,
);

const textLike = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.integer({ min: 1990, max: 2010 }).map((n) => "x".repeat(n)),
  fc.integer({ min: 7990, max: 8010 }).map((n) => "é".repeat(n)),
  nastyString,
);

/** Messages at and around the mention limit (`@` words), so chat's mention rule is fuzzed too. */
const mentionsLike = fc.oneof(
  fc.integer({ min: 18, max: 23 }).map((n) => Array.from({ length: n }, (_, i) => `@user${i}`).join(" ")),
  fc.integer({ min: 18, max: 23 }).map((n) => "@".repeat(n) + " a@b @" + "x@".repeat(n)),
  fc.constantFrom("@Fuzzer hi", "@Well Behaved", "mail fuzzer@example.org", "@", "@@Fuzzer", "@\u202EFuzzer"),
);

/** Game ids of games that do not exist, or that are not game ids (live ones: game-arbitraries.ts). */
export const gameIdLike = fc.oneof(
  fc.constantFrom("AAAAAAAAAAAA", "lobby", "leaderboard", "", "a".repeat(11), "a".repeat(13), "game:AAAAAAAAAAAA", "__proto__", "AAAAAAAAAAA/"),
  fc.stringMatching(/^[A-Za-z0-9_-]{12}$/),
  nastyString,
);

/** The game's fields: numbers at and around their bounds, directions and near misses. */
export const GAME_FIELD_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  gameId: gameIdLike,
  seq: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(0, -1, 2_147_483_647, 2_147_483_648, 1.5, "1", null, 1e300)),
  dir: fc.constantFrom("up", "down", "left", "right", "UP", "", "north", null, 0),
  forTick: fc.oneof(fc.integer({ min: -2, max: 400 }), fc.constantFrom(0, 36_000, 36_001, 2.5, "5", null)),
  ready: fc.oneof(fc.boolean(), fc.constantFrom("true", 0, 1, null)),
  userId: fc.oneof(fc.uuid(), nastyString),
  maxSeats: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constantFrom(2.5, "4", null)),
  tickHz: fc.oneof(fc.integer({ min: 3, max: 32 }), fc.constantFrom(15.5, "15", null, 1e9)),
  roundsToWin: fc.oneof(fc.integer({ min: -1, max: 11 }), fc.constantFrom(1.5, "3", null)),
};

/** The lab's fields: numbers at and around their bounds (and the byte budget), stream ids and near misses. */
export const LAB_FIELD_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  rate: fc.oneof(fc.integer({ min: -1, max: 202 }), fc.constantFrom(0, 1, 200, 201, 1.5, "10", null, 1e9, Number.MAX_SAFE_INTEGER)),
  payloadBytes: fc.oneof(fc.integer({ min: 0, max: 17_000 }), fc.constantFrom(15, 16, 16_384, 16_385, 2.5, "64", null, -16)),
  burstiness: fc.oneof(fc.double({ min: -0.5, max: 1.5, noNaN: true }), fc.constantFrom(0, 1, -0, 1.0000001, "0.5", null, true)),
  streamId: fc.oneof(
    fc.tuple(fc.uuid(), fc.stringMatching(/^[A-Za-z0-9_-]{11,13}$/)).map(([user, tail]) => `${user}_${tail}`),
    fc.constantFrom("", "AAAAAAAAAAAA", "_AAAAAAAAAAAA", "lab:x_AAAAAAAAAAAA", `${"a".repeat(49)}_AAAAAAAAAAAA`, "__proto__"),
    nastyString,
  ),
};

/** Plausible values for each field name, valid or close to it; anything else falls back to nasty strings. */
export const FIELD_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  text: fc.oneof(textLike, mentionsLike),
  name: fc.oneof(fc.string({ minLength: 1, maxLength: 48 }), nastyString),
  roomId: roomIdLike,
  messageId: fc.oneof(fc.uuid(), nastyString),
  notificationId: fc.oneof(fc.uuid(), fc.uuid().map((u) => u.toUpperCase()), nastyString),
  silentBroadcasts: fc.oneof(fc.boolean(), fc.constantFrom("true", 0, 1, null)),
  mutedRooms: fc.oneof(
    fc.array(roomIdLike, { maxLength: 4 }),
    fc.integer({ min: 99, max: 102 }).map((n) => Array.from({ length: n }, (_, i) => `room-${i}`)),
    nastyString,
  ),
  ...GAME_FIELD_VALUES,
  ...LAB_FIELD_VALUES,
};

/** One payload field: a plausible JSON value, a hostile one, or missing. */
function fieldText(name: string, values: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<string | undefined> {
  const plausible = (values[name] ?? nastyString).map((v) => JSON.stringify(v));
  return fc.oneof(
    { weight: 6, arbitrary: plausible },
    { weight: 3, arbitrary: junkJsonText },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** Extra members that should be ignored or refused, never obeyed. */
const extraMembers = fc.constantFrom(
  '"__proto__":{"admin":true}',
  '"constructor":{"prototype":{"admin":true}}',
  '"ok":true',
  '"userId":"someone-else"',
  '"id":"@@fresh-id@@"',
  '"type":"echo"',
);

function objectText(members: Array<string | undefined>): string {
  return `{${members.filter((m) => m !== undefined).join(",")}}`;
}

function payloadText(type: CommandType, values: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<string> {
  const fields = payloadFields(type);
  const object = fc
    .tuple(fc.tuple(...fields.map((f) => fieldText(f, values))), fc.option(extraMembers, { nil: undefined }))
    .map(([values, extra]) => objectText([...fields.map((f, i) => (values[i] === undefined ? undefined : `${JSON.stringify(f)}:${values[i]}`)), extra]));
  return fc.oneof({ weight: 8, arbitrary: object }, { weight: 2, arbitrary: junkJsonText });
}

/**
 * A well-formed command id stands in the generated text as this marker; each
 * case replaces it with a fresh id (freshIds), so a shrunk id never collides
 * with one an earlier case used (a reused id is fuzzed on purpose, elsewhere).
 */
export const FRESH_ID = "@@fresh-id@@";
let idCounter = 0;
const runTag = Date.now().toString(36);

/** Replaces every FRESH_ID marker in `text` by its own new, valid command id. */
export function freshIds(text: string): string {
  return text.split(JSON.stringify(FRESH_ID)).reduce((out, part) => `${out}${JSON.stringify(`fz-${runTag}-${++idCounter}`)}${part}`);
}

const validId = fc.constant(FRESH_ID);
const idText = fc.oneof(
  { weight: 8, arbitrary: validId.map((id) => JSON.stringify(id)) },
  { weight: 1, arbitrary: fc.constantFrom('"short"', '"has space 123"', '"' + "a".repeat(65) + '"', "12345678", "null") },
  { weight: 1, arbitrary: junkJsonText },
);

/** The type member: the right literal mostly, sometimes a near miss. */
function typeText(type: CommandType): fc.Arbitrary<string> {
  const nearMiss = fc.constantFrom(type.toUpperCase(), `${type} `, ` ${type}`, `${type}\u0000`, type.replace(".", "_"), type.normalize("NFD"));
  return fc.oneof(
    { weight: 9, arbitrary: fc.constant(JSON.stringify(type)) },
    { weight: 1, arbitrary: nearMiss.map((t) => JSON.stringify(t)) },
  );
}

/**
 * A valid-looking `{ id, type, payload }` envelope of one command type, as JSON
 * text, with fuzzed members (`values`: the plausible values per field name).
 */
export function commandText(type: CommandType, values: Record<string, fc.Arbitrary<unknown>> = FIELD_VALUES): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.option(idText, { nil: undefined, freq: 12 }),
      fc.option(typeText(type), { nil: undefined, freq: 12 }),
      fc.option(payloadText(type, values), { nil: undefined, freq: 12 }),
      fc.option(extraMembers, { nil: undefined, freq: 4 }),
    )
    .map(([id, t, payload, extra]) =>
      objectText([
        id === undefined ? undefined : `"id":${id}`,
        t === undefined ? undefined : `"type":${t}`,
        payload === undefined ? undefined : `"payload":${payload}`,
        extra,
      ]),
    );
}

/** Types that are not in the protocol, on otherwise fine envelopes. */
export const unknownTypeCommandText: fc.Arbitrary<string> = fc
  .tuple(
    validId,
    fc.oneof(
      fc.constantFrom("", "chat.", "chat.__proto__", "__proto__", "constructor", "toString", "hasOwnProperty", "chat.createroom", "admin.delete", "echo.echo"),
      nastyString,
    ),
    junkJsonText,
  )
  .filter(([, type]) => !(COMMAND_TYPES as string[]).includes(type))
  .map(([id, type, payload]) => `{"id":${JSON.stringify(id)},"type":${JSON.stringify(type)},"payload":${payload}}`);

/** Well-formed payload values per field (filtered by the protocol's schema below). */
const VALID_FIELD_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  text: fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom("@Fuzzer hi", "hello @Well Behaved")),
  name: fc.string({ minLength: 1, maxLength: 20 }),
  roomId: fc.constantFrom("lobby", "no-such-room"),
  messageId: fc.uuid(),
  notificationId: fc.uuid(),
  silentBroadcasts: fc.boolean(),
  mutedRooms: fc.constantFrom([], ["lobby"], ["no-such-room"]),
  gameId: fc.constantFrom("AAAAAAAAAAAA", "zzzzzzzzzzzz"),
  seq: fc.integer({ min: 1, max: 100 }),
  dir: fc.constantFrom("up", "down", "left", "right"),
  forTick: fc.integer({ min: 1, max: 100 }),
  ready: fc.boolean(),
  userId: fc.uuid(),
  maxSeats: fc.integer({ min: 2, max: 8 }),
  tickHz: fc.integer({ min: 5, max: 30 }),
  roundsToWin: fc.integer({ min: 1, max: 9 }),
  rate: fc.integer({ min: 1, max: 20 }),
  payloadBytes: fc.integer({ min: 16, max: 256 }),
  burstiness: fc.double({ min: 0, max: 1, noNaN: true }),
  streamId: fc.uuid().map((user) => `${user}_AAAAAAAAAAAA`),
};

/** A command the protocol accepts, of one type, as a value (its id is FRESH_ID). */
export function validCommand(type: CommandType): fc.Arbitrary<Command> {
  const fields = payloadFields(type);
  return fc
    .tuple(...fields.map((f) => VALID_FIELD_VALUES[f] ?? fc.string({ minLength: 1, maxLength: 20 })))
    .map((values) => ({ id: FRESH_ID, type, payload: Object.fromEntries(fields.map((f, i) => [f, values[i]])) }))
    // The marker is not itself a valid id: check the rest with a stand-in.
    .filter((value) => Command.safeParse({ ...value, id: "stand-in-id" }).success) as fc.Arbitrary<Command>;
}

/** Any hostile command text: one of the above, a bare hostile value, or text that is not JSON. */
export const anyCommandText: fc.Arbitrary<string> = fc.oneof(
  ...COMMAND_TYPES.map((type) => commandText(type)),
  unknownTypeCommandText,
  junkJsonText,
  nastyStringText,
);

export type CommandVerdict = { valid: true; command: Command } | { valid: false; why: string };

/**
 * The oracle: is this value a command the protocol accepts? Decided by the
 * protocol's own schema and size limit, never by hard-coded expectations.
 */
export function commandVerdict(value: unknown): CommandVerdict {
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(value ?? null));
  } catch {
    return { valid: false, why: "cannot be serialised (too deep)" };
  }
  if (size > MAX_COMMAND_BYTES) return { valid: false, why: `over ${MAX_COMMAND_BYTES} bytes` };
  const parsed = Command.safeParse(value);
  return parsed.success ? { valid: true, command: parsed.data } : { valid: false, why: "fails the Command schema" };
}

/** The oracle on JSON text: not JSON at all counts as invalid. */
export function commandTextVerdict(text: string): CommandVerdict {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { valid: false, why: "not JSON" };
  }
  return commandVerdict(value);
}
