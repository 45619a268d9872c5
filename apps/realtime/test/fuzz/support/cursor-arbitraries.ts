import { fc } from "@fast-check/vitest";
import { CursorString, MAX_TOPICS_PER_SUBSCRIPTION, TOPIC_KINDS, decodeCursor, encodeCursor, type CursorMap } from "@repo/protocol";
import { nastyString } from "./json-arbitraries";

/** Stands for the fuzzing user's id in generated cursors; replaced when a case runs. */
export const ME = "{me}";

export function withUser(text: string, userId: string): string {
  return text.split(ME).join(userId);
}

const topic = fc.oneof(
  fc.constantFrom(`echo:${ME}`, "system:ticker", "chat:lobby", "echo:someone-else", "chat:no-such-room", "system:other"),
  fc.tuple(fc.constantFrom(...TOPIC_KINDS), fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/)).map(([kind, id]) => `${kind}:${id}`),
);

const position = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  {
    weight: 3,
    arbitrary: fc.record({
      epoch: fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/),
      offset: fc.oneof(fc.constantFrom(0, 1, 2 ** 53 - 1, 999_999_999_999_999), fc.nat()),
    }),
  },
);

/** A cursor the protocol accepts (1–16 topics, or more: the 17th makes it too many). */
export const wellFormedCursor: fc.Arbitrary<string> = fc
  .array(fc.tuple(topic, position), { minLength: 1, maxLength: MAX_TOPICS_PER_SUBSCRIPTION + 2 })
  .map((entries) => {
    const map: CursorMap = {};
    for (const [t, p] of entries) map[t] = p;
    return encodeCursor(map);
  });

/** A well-formed cursor with one character inserted, removed or replaced. */
const mutatedCursor: fc.Arbitrary<string> = fc
  .tuple(wellFormedCursor, fc.nat(), fc.constantFrom("insert", "remove", "replace"), fc.constantFrom(",", "@", ".", ":", " ", "%", "é", "\u0000", "-", "9", ";", "=", "&"))
  .map(([cursor, at, op, char]) => {
    const i = at % (cursor.length + 1);
    if (op === "insert") return cursor.slice(0, i) + char + cursor.slice(i);
    if (op === "remove") return cursor.slice(0, i) + cursor.slice(i + 1);
    return cursor.slice(0, i) + char + cursor.slice(i + 1);
  });

/** Cursors at and past the 4,096-character limit. */
const longCursor: fc.Arbitrary<string> = fc.integer({ min: 4090, max: 4100 }).map((n) => {
  const entry = "system:ticker@";
  return (entry + ",").repeat(Math.ceil(n / 15)).slice(0, n).replace(/,$/, "x");
});

const edgeCursor = fc.constantFrom(
  "",
  ",",
  "@",
  "system:ticker",
  "system:ticker@,",
  "system:ticker@.",
  "system:ticker@a.",
  "system:ticker@a.-1",
  "system:ticker@a.1e3",
  "system:ticker@a.9999999999999999",
  "system:ticker@a.0x10",
  "SYSTEM:ticker@",
  "system:ticker@,system:ticker@",
  "__proto__:x@",
  "constructor@",
  "chat:lobby@" + "a".repeat(33) + ".1",
);

/** Cursor text of every kind: valid, too many topics, near misses, junk. */
export const cursorText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: wellFormedCursor },
  { weight: 3, arbitrary: mutatedCursor },
  { weight: 2, arbitrary: edgeCursor },
  { weight: 1, arbitrary: longCursor },
  { weight: 2, arbitrary: nastyString },
);

/**
 * The oracle: may a subscription with this cursor succeed? Only a string the
 * protocol's CursorString accepts, naming 1–16 topics. (Whether the user may
 * read them is the server's call: a valid cursor may still be refused, typed.)
 */
export function cursorMaybeValid(value: unknown): boolean {
  if (typeof value !== "string" || !CursorString.safeParse(value).success) return false;
  const count = Object.keys(decodeCursor(value) ?? {}).length;
  return count >= 1 && count <= MAX_TOPICS_PER_SUBSCRIPTION;
}
