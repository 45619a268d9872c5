import { fc } from "@fast-check/vitest";
import { cursorText } from "./cursor-arbitraries";
import { nastyString } from "./json-arbitraries";

/** One `key=value` of a query string, both already percent-encoded (or deliberately not). */
export interface QueryParam {
  key: string;
  raw: string;
}

/** Stands for a fresh SSE ticket (fetched when the case runs) and for one already redeemed. */
export const FRESH_TICKET = "@@fresh-ticket@@";
export const USED_TICKET = "@@used-ticket@@";

/** Characters a URL query carries as they are (no percent-encoding needed). */
const URL_SAFE = /^[A-Za-z0-9\-._~:@,!$'()*;/?]*$/;

/** encodeURIComponent, but a lone surrogate becomes its (invalid) 3-byte UTF-8 escape instead of throwing. */
export function encodeLoose(value: string): string {
  let out = "";
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    } else {
      out += encodeURIComponent(char);
    }
  }
  return out;
}

/** A value as it may appear in a query: encoded, raw when safe, or with broken percent-escapes spliced in. */
export function encodedValue(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: value.map((v) => encodeLoose(v)) },
    { weight: 2, arbitrary: value.map((v) => (URL_SAFE.test(v) ? v : encodeLoose(v))) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(value, fc.nat(), fc.constantFrom("%", "%Z", "%ZZ", "%E0%A4", "%C0%AF", "%00", "%2C", "%40", "%252C", "%uD800", "%ED%A0%80", "+", "%2B"))
        .map(([v, at, junk]) => {
          const encoded = encodeLoose(v);
          const i = at % (encoded.length + 1);
          return encoded.slice(0, i) + junk + encoded.slice(i);
        }),
    },
  );
}

const numberish = fc.constantFrom("0", "00", "-1", "1", "300", "1e9", "1e308", "-0", "NaN", "Infinity", "-Infinity", "0x10", "abc", "", String(Date.now()), "9".repeat(400));

const ticketValue = fc.oneof(
  { weight: 3, arbitrary: fc.constant(FRESH_TICKET) },
  { weight: 1, arbitrary: fc.constant(USED_TICKET) },
  { weight: 2, arbitrary: encodedValue(nastyString) },
  { weight: 1, arbitrary: fc.constantFrom("", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "a.b.c") },
);

const paramOf = (keys: readonly string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: encodedValue(cursorText).map((raw) => ({ key: "cursor", raw })) },
    { weight: 2, arbitrary: encodedValue(numberish).map((raw) => ({ key: "signals", raw })) },
    ...(keys.includes("timeout") ? [{ weight: 2, arbitrary: encodedValue(numberish).map((raw) => ({ key: "timeout", raw })) }] : []),
    { weight: 2, arbitrary: ticketValue.map((raw) => ({ key: "ticket", raw })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom("Cursor", "cursor[]", "cursor%20", "cursor.0", "__proto__", "constructor", "", "a%00b", "%ZZ"), encodedValue(nastyString))
        .map(([key, raw]) => ({ key, raw })),
    },
  );

/** A query string's parameters: usually one cursor plus fuzz, sometimes none; `cursor` and `ticket` at most once. */
export function queryParams(keys: readonly string[]): fc.Arbitrary<QueryParam[]> {
  const param = paramOf(keys);
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.tuple(encodedValue(cursorText), fc.array(param, { maxLength: 4 })).map(([raw, rest]) => [{ key: "cursor", raw }, ...rest]) },
      { weight: 1, arbitrary: fc.array(param, { maxLength: 6 }) },
    )
    .map((params) => params.filter((p, i) => !["cursor", "ticket"].includes(p.key) || params.findIndex((q) => q.key === p.key) === i));
}

/** Parameters with at least one of them repeated (review F11: `?cursor=a&cursor=b`). */
export function repeatedQueryParams(keys: readonly string[]): fc.Arbitrary<QueryParam[]> {
  const param = paramOf(keys);
  return fc
    .tuple(param, fc.integer({ min: 2, max: 40 }), fc.array(param, { maxLength: 3 }), fc.boolean())
    .map(([repeated, n, rest, same]) => {
      const copies = Array.from({ length: n }, (_, i) => (same || i === 0 ? repeated : { ...repeated, raw: `${repeated.raw}${i}` }));
      return [...copies, ...rest];
    });
}

export function queryString(params: QueryParam[]): string {
  return params.length === 0 ? "" : `?${params.map((p) => `${p.key}=${p.raw}`).join("&")}`;
}

/** The ways a server may read one raw query value: as sent, or percent- and plus-decoded. */
export function decodings(raw: string): string[] {
  const out = new Set([raw]);
  for (const text of [raw, raw.replace(/\+/g, " ")]) {
    try {
      out.add(decodeURIComponent(text));
    } catch {
      out.add(text);
    }
  }
  return [...out];
}

/** Occurrences of a parameter by its (decoded) name. */
export function valuesOf(params: QueryParam[], key: string): string[] {
  return params.filter((p) => decodings(p.key).includes(key)).map((p) => p.raw);
}
