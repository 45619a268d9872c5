import { z } from "zod";

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Control, private-use, unassigned, surrogate, line/paragraph separators and bidi overrides. */
const INVISIBLE_OR_UNSAFE = /[\p{Cc}\p{Co}\p{Cn}\p{Cs}\u2028\u2029\u202A-\u202E\u2066-\u2069\u200B\u2060\uFEFF]/u;

/** Letters that draw nothing (the Hangul fillers) and the blank braille pattern: a name of them looks empty. */
const BLANK_LOOKALIKES = /[\u115F\u1160\u3164\uFFA0\u2800]/u;

const FORMAT = /\p{Cf}/u;
const ZWNJ = 0x200c;
const ZWJ = 0x200d;
/** What a joiner may follow: a letter, a mark (Indic virama, emoji variation selector) or an emoji. */
const JOINS_AFTER = /[\p{L}\p{M}\p{Extended_Pictographic}\p{Emoji_Modifier}]/u;
/** What a joiner may precede: a letter or an emoji. */
const JOINS_BEFORE = /[\p{L}\p{Extended_Pictographic}]/u;

/** Most combining marks one visible character may carry (more is "Zalgo" text spilling over its neighbours). */
export const MAX_MARKS_PER_CHARACTER = 4;

/**
 * Whether `text` has an invisible format character (\p{Cf}: soft hyphen,
 * LRM/RLM, U+180E, invisible operators, tag characters…). ZWJ and ZWNJ are
 * kept between letters or emoji, where scripts (Persian, Indic) and emoji
 * sequences (👩‍💻) need them.
 */
export function hasInvisibleFormat(text: string): boolean {
  const chars = [...text];
  return chars.some((char, i) => {
    if (!FORMAT.test(char)) return false;
    const code = char.codePointAt(0);
    if (code !== ZWJ && code !== ZWNJ) return true;
    return !(JOINS_AFTER.test(chars[i - 1] ?? "") && JOINS_BEFORE.test(chars[i + 1] ?? ""));
  });
}

/** The most combining marks (\p{M}) in one grapheme cluster of `text`, precomposed letters (é) decomposed first. */
export function maxMarksPerCharacter(text: string): number {
  let most = 0;
  for (const { segment } of segmenter.segment(text)) {
    most = Math.max(most, segment.normalize("NFD").match(/\p{M}/gu)?.length ?? 0);
  }
  return most;
}

/** Counts user-perceived characters (grapheme clusters), so "👩‍💻" is one. */
export function visibleLength(text: string): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

/**
 * A short human-visible label (a display name, a room name): trimmed, NFC,
 * 1–`maxVisible` visible characters (grapheme clusters), nothing invisible,
 * control or bidi-override, no blank-looking letters, at most
 * MAX_MARKS_PER_CHARACTER combining marks per character. `label` starts the
 * error messages ("Room name …").
 */
export function visibleLabel(label: string, maxVisible: number) {
  return z
    .string()
    .max(maxVisible * 8, `${label} is too long`)
    .transform((s) => s.normalize("NFC").trim())
    .refine((s) => !INVISIBLE_OR_UNSAFE.test(s) && !hasInvisibleFormat(s), `${label} contains invisible or control characters`)
    .refine((s) => !BLANK_LOOKALIKES.test(s), `${label} contains blank-looking characters`)
    .refine((s) => maxMarksPerCharacter(s) <= MAX_MARKS_PER_CHARACTER, `${label} has too many accents on one character`)
    .refine((s) => visibleLength(s) >= 1, `${label} must not be empty`)
    .refine((s) => visibleLength(s) <= maxVisible, `${label} must be at most ${maxVisible} characters`);
}

/** A display name: trimmed, NFC, 1–32 visible characters, nothing invisible or control. */
export const DisplayName = visibleLabel("Display name", 32);

export const CreateSessionRequest = z.object({ name: DisplayName });
export type CreateSessionRequest = z.input<typeof CreateSessionRequest>;

export const User = z.object({ id: z.string(), name: z.string() });
export type User = z.infer<typeof User>;

/** `POST /v1/session`: the signed session, also set as an HttpOnly cookie. */
export const SessionResponse = z.object({
  user: User,
  /** Bearer token for non-browser clients (`Authorization: Bearer …`). */
  token: z.string(),
  expiresAt: z.string().datetime(),
});
export type SessionResponse = z.infer<typeof SessionResponse>;

/** `GET /v1/session`: who the cookie or bearer token belongs to. */
export const CurrentSessionResponse = z.object({ user: User, expiresAt: z.string().datetime() });
export type CurrentSessionResponse = z.infer<typeof CurrentSessionResponse>;

/** `POST /v1/sse/ticket`: a short-lived, single-use ticket for EventSource URLs. */
export const TicketResponse = z.object({ ticket: z.string(), expiresAt: z.string().datetime() });
export type TicketResponse = z.infer<typeof TicketResponse>;

export const SESSION_COOKIE = "sb_session";
