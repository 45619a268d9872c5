import { describe, expect, test } from "vitest";
import {
  Command,
  DisplayName,
  MAX_MARKS_PER_CHARACTER,
  MessageText,
  RoomName,
  bidiControlsPaired,
  hasInvisibleFormat,
} from "../src";

// F18: names that look blank or spill over their neighbours, and text-direction spoofs.

const zalgo = (marks: number) => `Z${"\u0336\u0335\u0334\u0337\u0338\u0321\u0322\u0327".repeat(8).slice(0, marks)}algo`;

describe("display and room names", () => {
  test.each([
    ["Hangul filler U+3164", "\u3164"],
    ["Hangul choseong filler U+115F", "\u115F"],
    ["Hangul jungseong filler U+1160", "\u1160"],
    ["halfwidth Hangul filler U+FFA0", "\uFFA0"],
    ["braille blank U+2800", "\u2800"],
    ["filler inside a name", "Ad\u3164a"],
    ["left-to-right mark U+200E", "Ada\u200E"],
    ["right-to-left mark U+200F", "\u200FAda"],
    ["soft hyphen U+00AD", "A\u00ADda"],
    ["Arabic letter mark U+061C", "Ada\u061C"],
    ["Mongolian vowel separator U+180E", "A\u180Eda"],
    ["invisible times U+2062", "A\u2062da"],
    ["tag characters", "Ada\u{E0041}\u{E0064}\u{E0061}"],
    ["zero-width joiner between digits", "1\u200D2"],
    ["zero-width joiner at the start", "\u200DAda"],
    ["zero-width non-joiner before a space", "Ada\u200C Lovelace"],
    ["two joiners in a row", "a\u200D\u200Db"],
    ["Zalgo", zalgo(40)],
    ["five marks on one letter", `Ada${"\u0301".repeat(5)}`],
    ["a precomposed letter plus four marks", `\u00C1${"\u0300".repeat(4)}`],
    ["bidi override", "invoice\u202Efdp.exe"],
  ])("refused: %s", (_label, name) => {
    expect(DisplayName.safeParse(name).success).toBe(false);
    expect(RoomName.safeParse(name).success).toBe(false);
  });

  test.each([
    ["plain", "Ada Lovelace"],
    ["accents (NFC or not)", "Ren\u00E9e Ve\u0301ronique"],
    ["Vietnamese", "Nguyễn Việt"],
    ["four marks on one letter", `a${"\u0301\u0300\u0302\u0303"}`],
    ["Persian with ZWNJ", "می\u200Cخواهم"],
    ["Devanagari with ZWJ after a virama", "क्\u200Dष"],
    ["emoji ZWJ sequence", "👩\u200D💻 coder"],
    ["emoji with skin tone and ZWJ", "👩🏽\u200D💻"],
    ["flag with variation selector and ZWJ", "🏳\uFE0F\u200D🌈"],
    ["Hangul syllables", "한국어"],
    ["Japanese", "開発チーム"],
  ])("allowed: %s", (_label, name) => {
    expect(DisplayName.safeParse(name).success).toBe(true);
    expect(RoomName.safeParse(name).success).toBe(true);
  });

  test("helpers", () => {
    expect(MAX_MARKS_PER_CHARACTER).toBe(4);
    expect(hasInvisibleFormat("a\u200Db")).toBe(false);
    expect(hasInvisibleFormat("a\u200D")).toBe(true);
    expect(hasInvisibleFormat("\u00AD")).toBe(true);
  });
});

describe("message text", () => {
  test.each([
    ["the review's spoof", "invoice\u202Efdp.exe"],
    ["an unclosed isolate", "\u2067abc"],
    ["a stray PDF", "abc\u202C"],
    ["a stray PDI", "abc\u2069"],
    ["misnested: isolate closed by PDF", "\u2066abc\u202C"],
    ["misnested: crossing pairs", "\u202A\u2066x\u202C\u2069"],
    ["open across a line break", "\u202Ea\nb\u202C"],
    ["every embedding kind unclosed", "\u202A\u202B\u202D"],
  ])("refused: %s", (_label, text) => {
    const parsed = MessageText.safeParse(text);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/text-direction/);
    expect(bidiControlsPaired(text)).toBe(false);
  });

  test.each([
    ["a closed override", "a\u202Eb\u202Cc"],
    ["a closed isolate", "name: \u2067עברית\u2069!"],
    ["properly nested", "\u2066a\u202Bb\u202Cc\u2069"],
    ["one pair per line", "\u2066a\u2069\n\u2067b\u2069"],
    ["directional marks (not embeddings)", "ok\u200E\u200F\u061C"],
    ["Zalgo (messages are free text)", zalgo(40)],
  ])("allowed: %s", (_label, text) => {
    expect(MessageText.safeParse(text).success).toBe(true);
  });

  test("echo text follows the message rules", () => {
    const echo = (text: string) => Command.safeParse({ id: "cmd_12345678", type: "echo", payload: { text } }).success;
    expect(echo("hello")).toBe(true);
    expect(echo("invoice\u202Efdp.exe")).toBe(false);
    expect(echo("bell\u0007")).toBe(false);
    expect(echo("\u2067closed\u2069")).toBe(true);
  });
});
