// Splits plain chat text into text and link segments. Only absolute http(s) URLs become
// links; everything is rendered by React as text nodes and attributes (never as HTML).

export type TextSegment = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

/**
 * A run that starts with http:// or https:// (not in the middle of a word) and a host (not a
 * third slash: "http:///x" would parse as host "x"), up to whitespace, a quote or a bracket.
 */
const URL_CANDIDATE = /(?<![\p{L}\p{N}_])https?:\/\/(?![/\\])[^\s<>"'`]+/giu;

/** Punctuation that usually ends the sentence rather than the URL. */
const TRAILING = new Set([".", ",", ";", ":", "!", "?", "*", "'", '"']);

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n++;
  return n;
}

/** Drops trailing sentence punctuation and a closing bracket that has no opening one in the URL. */
function trimCandidate(candidate: string): string {
  let end = candidate.length;
  for (;;) {
    const last = candidate[end - 1];
    if (last === undefined) break;
    const head = candidate.slice(0, end);
    if (TRAILING.has(last)) end--;
    else if (last === ")" && count(head, "(") < count(head, ")")) end--;
    else if (last === "]" && count(head, "[") < count(head, "]")) end--;
    else break;
  }
  return candidate.slice(0, end);
}

/** The URL to link to, or null when the text is not a well-formed http(s) URL with a host. */
export function safeHref(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (!url.hostname) return null;
  return url.href;
}

export function linkify(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let at = 0;
  const pushText = (value: string) => {
    if (!value) return;
    const last = segments.at(-1);
    if (last?.kind === "text") last.text += value;
    else segments.push({ kind: "text", text: value });
  };
  for (const match of text.matchAll(URL_CANDIDATE)) {
    const start = match.index;
    const candidate = trimCandidate(match[0]);
    const href = safeHref(candidate);
    if (!href) continue;
    pushText(text.slice(at, start));
    segments.push({ kind: "link", text: candidate, href });
    at = start + candidate.length;
  }
  pushText(text.slice(at));
  return segments;
}
