import { mentionStarts } from "@repo/protocol";

/** How far after an `@` a name may reach (a display name is at most 32 characters, a few code units each). */
const NAME_WINDOW = 256;
const WORD = /[\p{L}\p{N}\p{M}]/u;
const SPACE = /\s/u;

/**
 * The names a text may mention: for each mention start (mentionStarts), every
 * stretch after the `@` that ends at a word boundary (a letter or digit followed
 * by anything else, or a non-space followed by a space or the end), within one
 * line. "@Ada Lovelace, hi" gives "Ada", "Ada Lovelace" and "Ada Lovelace,":
 * display names may have spaces, and whichever is a member's name is theirs.
 * Lowercased and NFC, so names match ignoring case.
 */
export function mentionCandidates(text: string): string[] {
  const names = new Set<string>();
  for (const start of mentionStarts(text)) {
    const line = text.slice(start, start + NAME_WINDOW).split("\n", 1)[0] ?? "";
    const chars = [...line];
    let end = 0;
    for (let i = 0; i < chars.length; i++) {
      const char = chars[i]!;
      const next = chars[i + 1];
      end += char.length;
      const wordEnd = WORD.test(char) && (next === undefined || !WORD.test(next));
      const spaceEnd = !SPACE.test(char) && (next === undefined || SPACE.test(next));
      if (wordEnd || spaceEnd) names.add(normalizedName(line.slice(0, end)));
    }
  }
  return [...names];
}

/** How names are compared: NFC, lowercased. */
export function normalizedName(name: string): string {
  return name.normalize("NFC").toLowerCase();
}
