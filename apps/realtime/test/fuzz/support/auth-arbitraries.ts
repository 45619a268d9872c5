import { fc } from "@fast-check/vitest";
import { SESSION_COOKIE } from "@repo/protocol";
import { nastyString } from "./json-arbitraries";

/** How a request presents (or fails to present) a session. */
export type AuthVariant =
  | "none"
  | "bearer"
  | "bearer-padded"
  | "cookie"
  | "bearer-lowercase"
  | "basic"
  | "truncated"
  | "tampered"
  | "alg-none"
  | "swapped"
  | "bad-cookie"
  | "junk-bearer";

/** Variants that carry the real token in a form the protocol accepts (`Bearer` header or the cookie). */
export const VALID_AUTH: ReadonlySet<AuthVariant> = new Set(["bearer", "bearer-padded", "cookie"]);

export const authVariant = fc.tuple(
  fc.constantFrom<AuthVariant>(
    "none",
    "bearer",
    "bearer-padded",
    "cookie",
    "bearer-lowercase",
    "basic",
    "truncated",
    "tampered",
    "alg-none",
    "swapped",
    "bad-cookie",
    "junk-bearer",
  ),
  nastyString.map((s) => s.replace(/[^\x20-\x7e]/g, "").slice(0, 2000)),
);

/** The request headers of one variant for `token` (header-safe: printable ASCII only). */
export function authHeaders([variant, junk]: [AuthVariant, string], token: string): Record<string, string> {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  // Flip one character in the middle of the payload: the signature no longer matches.
  const flipped = payload.slice(0, 8) + (payload[8] === "A" ? "B" : "A") + payload.slice(9);
  switch (variant) {
    case "none":
      return {};
    case "bearer":
      return { authorization: `Bearer ${token}` };
    case "bearer-padded":
      return { authorization: `Bearer   ${token}  ` };
    case "cookie":
      return { cookie: `${SESSION_COOKIE}=${token}` };
    case "bearer-lowercase":
      return { authorization: `bearer ${token}X` };
    case "basic":
      return { authorization: `Basic ${Buffer.from(`x:${token}`).toString("base64")}` };
    case "truncated":
      return { authorization: `Bearer ${token.slice(0, -12)}` };
    case "tampered":
      return { authorization: `Bearer ${header}.${flipped}.${signature}` };
    case "alg-none":
      return { authorization: `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${payload}.` };
    case "swapped":
      return { authorization: `Bearer ${payload}.${header}.${signature}` };
    case "bad-cookie":
      return { cookie: `${SESSION_COOKIE}=${encodeURIComponent(junk)}; other=${token}` };
    case "junk-bearer":
      return { authorization: `Bearer ${junk}` };
  }
}
