import { expect, test } from "vitest";
import { mentionCandidates } from "../../src/features/notifications/mentions";

test("the names a text may mention: each stretch after an @ up to a word boundary, lowercased, within the line", () => {
  expect(mentionCandidates("hi @Ada Lovelace, welcome")).toEqual(["ada", "ada lovelace", "ada lovelace,", "ada lovelace, welcome"]);
  expect(mentionCandidates("@Bob's\n@carol")).toEqual(["bob", "bob's", "carol"]);
  expect(mentionCandidates("mail ada@example.org")).toEqual([]);
  expect(mentionCandidates("@É\u0301mile")).toEqual(["é\u0301mile".normalize("NFC")]);
});
