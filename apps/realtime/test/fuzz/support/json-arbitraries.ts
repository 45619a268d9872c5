import { fc } from "@fast-check/vitest";

/*
 * Hostile JSON, always as text: a value nested 8,000 levels deep cannot even be
 * JSON.stringify-ed by the test, so nesting is built as strings.
 */

/** Strings that tend to break parsers, validators and normalisers. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "",
      " ",
      "\t\n",
      "\u0000",
      "\u0007bell",
      "\u202Eevil",
      "\u200B",
      "\uFEFF",
      "\uD800",
      "\uDC00x",
      "e\u0301",
      "👩‍💻",
      "__proto__",
      "constructor",
      "prototype",
      "toString",
      "null",
      "undefined",
      "NaN",
      "lobby",
      "LOBBY",
      "../../etc/passwd",
      "%00",
      "%ZZ",
      "<script>alert(1)</script>",
      "\r\n\r\n",
      "a\r\nb",
      "${jndi:ldap://x}",
      "' OR 1=1 --",
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 40_000 }).map((n) => "a".repeat(n)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("é", "😀", "\u0000", " ", "\u202E"), fc.integer({ min: 1, max: 12_000 })).map(([c, n]) => c.repeat(n)) },
);

/** `[[[…]]]`, `{"a":{"a":…}}` and mixtures, up to 8,000 levels (review F1: ~5,000 kills JSON.stringify). */
export const deepNestingText: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 500, max: 8000 })),
    fc.constantFrom(
      { open: "[", core: "", close: "]" },
      { open: '{"a":', core: "1", close: "}" },
      { open: '[{"a":', core: "null", close: "}]" },
      { open: '{"__proto__":', core: "{}", close: "}" },
    ),
  )
  .map(([depth, shape]) => shape.open.repeat(depth) + shape.core + shape.close.repeat(depth));

/** Arrays of up to 20,000 small elements. */
export const hugeArrayText: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 0, max: 20_000 }), fc.constantFrom("0", "null", '""', "{}", "[]", '"x"', "true", "1e308"))
  .map(([n, element]) => `[${new Array<string>(n).fill(element).join(",")}]`);

/** A JSON string literal of a nasty (possibly huge) string. */
export const nastyStringText: fc.Arbitrary<string> = nastyString.map((s) => JSON.stringify(s));

/** Objects that try prototype pollution or shadow built-ins. */
export const prototypeKeysText: fc.Arbitrary<string> = fc.constantFrom(
  '{"__proto__":{"polluted":true}}',
  '{"__proto__":null}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"toString":1,"valueOf":2,"hasOwnProperty":3}',
  '{"__proto__":{"ok":true,"id":"x","type":"echo"}}',
);

/** Numbers at the edges of IEEE 754 and of JSON number syntax. */
export const edgeNumberText: fc.Arbitrary<string> = fc.constantFrom(
  "0",
  "-0",
  "1e400",
  "-1e400",
  "9007199254740993",
  "1".repeat(400),
  "0.0000000000000000000001",
  "1.7976931348623157e308",
  "-1",
  "4294967296",
);

/** Any hostile JSON value, as text. */
export const junkJsonText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: nastyStringText },
  { weight: 2, arbitrary: deepNestingText },
  { weight: 1, arbitrary: hugeArrayText },
  { weight: 1, arbitrary: prototypeKeysText },
  { weight: 1, arbitrary: edgeNumberText },
  { weight: 1, arbitrary: fc.constantFrom("null", "true", "false", "[]", "{}", '""') },
);

/** Text that is not JSON at all (or not only JSON). */
export const notJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    "{",
    "}",
    "[1,]",
    "{'id':1}",
    "NaN",
    "undefined",
    '{"id":"abcdefgh","type":"echo","payload":{"text":"x"}} trailing',
    '\uFEFF{"id":"abcdefgh","type":"echo","payload":{"text":"x"}}',
    "\u0000",
    '{"a":1,"a":2',
    "id=abcdefgh&type=echo",
    "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--",
  ),
  fc.string({ unit: "binary", maxLength: 64 }),
  deepNestingText.map((t) => t.slice(0, -1)),
);
