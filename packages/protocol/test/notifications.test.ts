import { describe, expect, test } from "vitest";
import {
  BROADCAST_TOPIC,
  BroadcastRequest,
  CHAT_LIMITS,
  Command,
  NotificationsQuery,
  NotifyEvent,
  Topic,
  mentionStarts,
  notifyTopic,
} from "../src/index";

describe("mentions in chat text", () => {
  test("a mention is an @ that starts a word and is followed by a letter or digit", () => {
    expect(mentionStarts("@ada hi")).toEqual([1]);
    expect(mentionStarts("hi @Ada and (@Bob)")).toEqual([4, 14]);
    expect(mentionStarts("ada@example.org @ @@bob @-x é@x")).toEqual([]);
    expect(mentionStarts("@1 @émile")).toEqual([1, 4]);
  });

  test(`chat.send and chat.edit refuse more than ${CHAT_LIMITS.mentionsPerMessage} mentions, with the issue on payload.text`, () => {
    const text = (n: number) => Array.from({ length: n }, (_, i) => `@u${i}`).join(" ");
    const send = (t: string) => Command.safeParse({ id: "abcdefgh", type: "chat.send", payload: { roomId: "lobby", text: t } });
    expect(send(text(20)).success).toBe(true);
    const refused = send(text(21));
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((i) => i.path)).toEqual([["payload", "text"]]);
    expect(Command.safeParse({ id: "abcdefgh", type: "chat.edit", payload: { messageId: crypto.randomUUID(), text: text(21) } }).success).toBe(false);
    // The echo keeps the plain message rules.
    expect(Command.safeParse({ id: "abcdefgh", type: "echo", payload: { text: text(21) } }).success).toBe(true);
  });
});

describe("the notifications module", () => {
  test("its topics are in the grammar: a user's and the broadcast one", () => {
    expect(Topic.safeParse(notifyTopic(crypto.randomUUID())).success).toBe(true);
    expect(Topic.safeParse(BROADCAST_TOPIC).success).toBe(true);
  });

  test("commands, queries and broadcasts are bounded", () => {
    const markRead = (notificationId: unknown) => Command.safeParse({ id: "abcdefgh", type: "notify.markRead", payload: { notificationId } }).success;
    expect(markRead(crypto.randomUUID())).toBe(true);
    expect(markRead("nope")).toBe(false);
    const prefs = (payload: unknown) => Command.safeParse({ id: "abcdefgh", type: "notify.setPreferences", payload }).success;
    expect(prefs({ silentBroadcasts: true })).toBe(true);
    expect(prefs({})).toBe(false);
    expect(prefs({ mutedRooms: Array.from({ length: 101 }, (_, i) => `r${i}`) })).toBe(false);
    expect(NotificationsQuery.safeParse({ limit: "50" }).success).toBe(true);
    expect(NotificationsQuery.safeParse({ limit: "51" }).success).toBe(false);
    expect(NotificationsQuery.parse({}).limit).toBe(20);
    expect(BroadcastRequest.parse({ title: " Hi ", body: "a\r\nb" })).toEqual({ title: "Hi", body: "a\nb" });
    expect(BroadcastRequest.safeParse({ title: "a\nb", body: "x" }).success).toBe(false);
    expect(BroadcastRequest.safeParse({ title: "t", body: "x".repeat(1001) }).success).toBe(false);
  });

  test("its events are a union on type", () => {
    const id = crypto.randomUUID();
    expect(NotifyEvent.safeParse({ type: "notification.read", payload: { id, unread: 0 } }).success).toBe(true);
    expect(NotifyEvent.safeParse({ type: "notification.read", payload: { id, unread: -1 } }).success).toBe(false);
    expect(NotifyEvent.safeParse({ type: "notification.unknown", payload: {} }).success).toBe(false);
  });
});
