import { z } from "zod";
import type { Position } from "./position";
import { Topic } from "./topics";

/**
 * Where a subscriber stands in each topic it follows. A topic mapped to `null`
 * starts at the live end (only events published from now on).
 */
export type CursorMap = Record<Topic, Position | null>;

/**
 * A cursor map as one compact, URL-safe-enough string, used as the `cursor`
 * query parameter, the SSE `id:` (and so `Last-Event-ID`) and the poll ETag:
 *   `chat:lobby@k3j2.41,system:ticker@a9.3,game:g1@`
 * (an empty position after `@` means "from now").
 */
export function encodeCursor(map: CursorMap): string {
  return Object.entries(map)
    .map(([topic, pos]) => (pos ? `${topic}@${pos.epoch}.${pos.offset}` : `${topic}@`))
    .join(",");
}

const ENTRY = /^([a-z]+:[A-Za-z0-9_-]{1,64})@(?:([A-Za-z0-9_-]{1,32})\.(\d{1,15}))?$/;

/** Parses `encodeCursor` output; returns null when the string is malformed. */
export function decodeCursor(text: string): CursorMap | null {
  const map: CursorMap = {};
  if (text === "") return map;
  for (const part of text.split(",")) {
    const match = ENTRY.exec(part);
    if (!match) return null;
    const [, topic, epoch, offset] = match;
    if (!Topic.safeParse(topic).success) return null;
    map[topic!] = epoch ? { epoch, offset: Number(offset) } : null;
  }
  return map;
}

/** Longest encoded cursor accepted anywhere (query, Last-Event-ID, subscribe frame). */
export const MAX_CURSOR_LENGTH = 4096;

/** zod schema for an encoded cursor string. */
export const CursorString = z
  .string()
  .max(MAX_CURSOR_LENGTH)
  .refine((s) => decodeCursor(s) !== null, "Malformed cursor");
