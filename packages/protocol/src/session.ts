import { z } from "zod";

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Control, private-use, unassigned, surrogate, line/paragraph separators and bidi overrides. */
const INVISIBLE_OR_UNSAFE = /[\p{Cc}\p{Co}\p{Cn}\p{Cs}\u2028\u2029\u202A-\u202E\u2066-\u2069\u200B\u2060\uFEFF]/u;

/** Counts user-perceived characters (grapheme clusters), so "👩‍💻" is one. */
export function visibleLength(text: string): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

/**
 * A short human-visible label (a display name, a room name): trimmed, NFC,
 * 1–`maxVisible` visible characters (grapheme clusters), nothing invisible,
 * control or bidi-override. `label` starts the error messages ("Room name …").
 */
export function visibleLabel(label: string, maxVisible: number) {
  return z
    .string()
    .max(maxVisible * 8, `${label} is too long`)
    .transform((s) => s.normalize("NFC").trim())
    .refine((s) => !INVISIBLE_OR_UNSAFE.test(s), `${label} contains invisible or control characters`)
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
