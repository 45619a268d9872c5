// The flagd definitions document as the admin page reads and edits it: plain JSON, narrowed
// with zod where the page needs a shape (a flag's state, variants, default, targeting).
import { z } from "zod";

export type FlagDocument = Record<string, unknown>;

export const FlagShape = z.looseObject({
  state: z.string().optional(),
  variants: z.record(z.string(), z.unknown()).optional(),
  defaultVariant: z.string().nullable().optional(),
  targeting: z.unknown().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type FlagShape = z.infer<typeof FlagShape>;

const DocumentShape = z.looseObject({ flags: z.record(z.string(), z.unknown()).optional() });

/** The flags of a document by key, in the document's order (missing or odd ones left out). */
export function flagsOf(document: FlagDocument): Array<[string, FlagShape]> {
  const flags = DocumentShape.safeParse(document).data?.flags ?? {};
  const entries: Array<[string, FlagShape]> = [];
  for (const [key, value] of Object.entries(flags)) {
    const parsed = FlagShape.safeParse(value);
    if (parsed.success) entries.push([key, parsed.data]);
  }
  return entries;
}

/** One flag as written in the document (for the JSON editor and the audit diff), or undefined. */
export function rawFlag(document: FlagDocument, key: string): unknown {
  const flags = DocumentShape.safeParse(document).data?.flags ?? {};
  return Object.hasOwn(flags, key) ? flags[key] : undefined;
}

/** A copy of `document` with one flag replaced (the others and the rest untouched). */
export function withFlag(document: FlagDocument, key: string, flag: unknown): FlagDocument {
  const flags = DocumentShape.safeParse(document).data?.flags ?? {};
  return { ...document, flags: { ...flags, [key]: flag } };
}

/** Same JSON, same document (key order included: what the service stores is the text). */
export function sameDocument(a: FlagDocument, b: FlagDocument): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The flag a validation rule names: `/flags/<key>/…` (JSON pointer, `~1` is `/`, `~0` is `~`). */
export function flagOfRule(rule: string): string | null {
  const match = /^\/flags\/([^/:]+)/.exec(rule);
  if (!match?.[1]) return null;
  return match[1].replaceAll("~1", "/").replaceAll("~0", "~");
}
