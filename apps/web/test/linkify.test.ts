import { describe, expect, it } from "vitest";
import { linkify, safeHref, type TextSegment } from "../src/lib/linkify";

const joined = (segments: TextSegment[]) => segments.map((s) => s.text).join("");
const links = (text: string) => linkify(text).filter((s) => s.kind === "link");

describe("linkify", () => {
  it("keeps plain text (markup included) as one text segment", () => {
    for (const text of ["hello", "<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "a\nb"]) {
      expect(linkify(text)).toEqual([{ kind: "text", text }]);
    }
  });

  it("links http and https URLs and loses no character", () => {
    const text = "see https://example.com/a?b=1&c=2#x and http://localhost:3000/chat now";
    expect(links(text)).toEqual([
      { kind: "link", text: "https://example.com/a?b=1&c=2#x", href: "https://example.com/a?b=1&c=2#x" },
      { kind: "link", text: "http://localhost:3000/chat", href: "http://localhost:3000/chat" },
    ]);
    expect(joined(linkify(text))).toBe(text);
  });

  it("leaves sentence punctuation and unbalanced brackets out of the link", () => {
    expect(links("go to https://example.com.")[0]?.text).toBe("https://example.com");
    expect(links("(see https://example.com/x)")[0]?.text).toBe("https://example.com/x");
    expect(links("https://en.wikipedia.org/wiki/Foo_(bar)!")[0]?.text).toBe("https://en.wikipedia.org/wiki/Foo_(bar)");
    expect(links('"https://example.com/q?a=1",')[0]?.text).toBe("https://example.com/q?a=1");
  });

  it("never links other schemes, URLs inside words, or URLs without a host", () => {
    for (const text of [
      "javascript:alert(1)",
      "JAVASCRIPT:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "mailto:a@example.com",
      "xhttps://example.com",
      "https://",
      "http:///path",
      '<a href="javascript:alert(1)">x</a>',
    ]) {
      expect(links(text)).toEqual([]);
    }
  });

  it("stops a URL at quotes and angle brackets, so markup around one stays text", () => {
    const segments = linkify('<a href="https://example.com/">x</a>');
    expect(segments).toEqual([
      { kind: "text", text: '<a href="' },
      { kind: "link", text: "https://example.com/", href: "https://example.com/" },
      { kind: "text", text: '">x</a>' },
    ]);
  });

  it("safeHref accepts only absolute http(s) URLs and normalizes them", () => {
    expect(safeHref("https://EXAMPLE.com/a b")).toBe("https://example.com/a%20b");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("/relative")).toBeNull();
    expect(safeHref("ftp://example.com")).toBeNull();
  });
});
