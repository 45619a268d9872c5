// The chat schemas in @repo/protocol, without a server: what clients can rely on.
import {
  ChatEvent,
  ChatHistoryQuery,
  Command,
  CommandResults,
  DisplayName,
  MessageText,
  ROOM_ID_PATTERN,
  RoomName,
  roomIdFromName,
} from "@repo/protocol";
import { describe, expect, test } from "vitest";

describe("chat protocol", () => {
  test.each([
    ["Lobby", "lobby"],
    ["  Team  Standup!! ", "team-standup"],
    ["Café Crème", "cafe-creme"],
    ["<script>alert(1)</script>", "script-alert-1-script"],
    ["x".repeat(48), "x".repeat(32)],
  ])("room %j gets the id %j", (name, id) => {
    expect(roomIdFromName(RoomName.parse(name))).toBe(id);
  });

  test("names that lose letters in the slug get a stable hash; equal names (ignoring case) always meet", () => {
    for (const name of ["開発チーム", "🎉", "Straße", "日本 2"]) {
      const id = roomIdFromName(RoomName.parse(name));
      expect(id).toMatch(ROOM_ID_PATTERN);
      expect(roomIdFromName(RoomName.parse(name))).toBe(id);
    }
    expect(roomIdFromName("開発チーム")).not.toBe(roomIdFromName("営業チーム"));
    expect(roomIdFromName("ÄÖ Team")).toBe(roomIdFromName("äö team"));
  });

  test("room names share the display-name rules (one sanitizer), with their own length", () => {
    expect(RoomName.parse(" Cafe\u0301 ")).toBe("Café");
    expect(RoomName.safeParse("👩‍💻".repeat(48)).success).toBe(true);
    for (const bad of ["", " ", "x".repeat(49), "a\u202Eb", "a\u200Bb", "a\u0000b", "a\nb"]) {
      expect(RoomName.safeParse(bad).success).toBe(false);
    }
    expect(DisplayName.safeParse("x".repeat(33)).success).toBe(false);
    expect(DisplayName.parse(" Ada ")).toBe("Ada");
  });

  test("message text: trimmed, CRLF → LF, 1–2000 code points, newlines only among control characters", () => {
    expect(MessageText.parse("  <b>hi</b>\r\nthere\r ")).toBe("<b>hi</b>\nthere");
    expect(MessageText.safeParse("😀".repeat(2000)).success).toBe(true);
    expect(MessageText.safeParse("😀".repeat(2001)).success).toBe(false);
    for (const bad of ["", " \n ", "a\tb", "a\u0007", "\ud800", "x".repeat(8001)]) {
      expect(MessageText.safeParse(bad).success).toBe(false);
    }
  });

  test("commands, results, events and the history query parse as documented", () => {
    const send = Command.parse({ id: "c_12345678", type: "chat.send", payload: { roomId: "lobby", text: " hi " } });
    expect(send).toEqual({ id: "c_12345678", type: "chat.send", payload: { roomId: "lobby", text: "hi" } });
    expect(Command.safeParse({ id: "c_12345678", type: "chat.send", payload: { roomId: "Lobby", text: "hi" } }).success).toBe(false);
    expect(Command.safeParse({ id: "c_12345678", type: "chat.edit", payload: { messageId: "nope", text: "hi" } }).success).toBe(false);
    expect(CommandResults["chat.typing"].parse({})).toEqual({});
    const user = { id: "u1", name: "Ada" };
    expect(ChatEvent.parse({ type: "presence.left", payload: { user } })).toEqual({ type: "presence.left", payload: { user } });
    expect(ChatEvent.safeParse({ type: "message.deleted", payload: { messageId: "x" } }).success).toBe(false);
    expect(ChatHistoryQuery.parse({})).toEqual({ limit: 50 });
    expect(ChatHistoryQuery.parse({ limit: "100" })).toEqual({ limit: 100 });
    expect(ChatHistoryQuery.safeParse({ limit: "101" }).success).toBe(false);
  });
});
