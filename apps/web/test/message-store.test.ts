import { describe, expect, it } from "vitest";
import { MessageStore, isPending, itemKey, newerCopy } from "../src/features/chat/room/message-store";
import { message } from "./fixtures";

const ADA = { id: "u-ada", name: "Ada" };


const texts = (store: MessageStore) => store.items().map((item) => item.text);

describe("MessageStore", () => {
  it("keeps messages once each, in (createdAt, id) order, whatever order they arrive in", () => {
    const store = new MessageStore();
    store.upsertMany([message(3), message(1)]);
    store.upsert(message(2));
    store.upsert(message(3)); // the same message from an event
    store.upsertMany([message(1), message(2)]); // and from a page
    expect(texts(store)).toEqual(["message 1", "message 2", "message 3"]);
    expect(store.oldest()?.text).toBe("message 1");
    expect(store.newest()?.text).toBe("message 3");
  });

  it("orders by id when timestamps are equal", () => {
    const store = new MessageStore();
    const at = message(1).createdAt;
    store.upsertMany([message(9, { createdAt: at }), message(5, { createdAt: at })]);
    expect(texts(store)).toEqual(["message 5", "message 9"]);
  });

  it("keeps the deleted copy, else the later edit, and ignores a stale copy", () => {
    const original = message(1);
    const edited = message(1, { text: "edited", editedAt: "2026-01-01T00:01:00.000Z" });
    const deleted = message(1, { text: "", deletedAt: "2026-01-01T00:02:00.000Z" });
    expect(newerCopy(original, edited)).toBe(edited);
    expect(newerCopy(edited, original)).toBe(edited);
    expect(newerCopy(edited, deleted)).toBe(deleted);
    expect(newerCopy(deleted, edited)).toBe(deleted);
    expect(newerCopy(original, message(1))).toBe(original);

    const store = new MessageStore();
    store.upsert(original);
    expect(store.upsert(edited)).toBe(true);
    expect(store.upsert(original)).toBe(false);
    expect(texts(store)).toEqual(["edited"]);
  });

  it("turns a deleted message into a tombstone and ignores unknown ids", () => {
    const store = new MessageStore();
    store.upsertMany([message(1), message(2)]);
    expect(store.markDeleted(message(1).id, "2026-01-01T00:05:00.000Z")).toBe(true);
    expect(store.markDeleted("00000000-0000-7000-8000-999999999999", "2026-01-01T00:05:00.000Z")).toBe(false);
    expect(store.items()[0]).toMatchObject({ text: "", deletedAt: "2026-01-01T00:05:00.000Z" });
    expect(store.size).toBe(2);
  });

  it("shows pending messages after the confirmed ones, and hides one once its event arrives", () => {
    const store = new MessageStore();
    store.upsert(message(1));
    store.addPending("cmd-1", "hi there", 0);
    store.addPending("cmd-2", "hi there", 1);
    expect(store.items().map(itemKey)).toEqual([message(1).id, "pending:cmd-1", "pending:cmd-2"]);

    // My message.created arrives before the send's answer: it stands for the first pending copy.
    const mine = message(2, { author: ADA, text: "hi there" });
    store.matchCreated(mine, ADA.id);
    store.upsert(mine);
    store.matchCreated(mine, ADA.id); // the same event again matches nothing more
    expect(store.items().map(itemKey)).toEqual([message(1).id, mine.id, "pending:cmd-2"]);

    // Someone else's message with the same text matches nothing.
    store.matchCreated(message(3, { text: "hi there" }), ADA.id);
    expect(store.items().filter(isPending)).toHaveLength(1);

    // The answer arrives: the pending entry goes, the message stays once.
    store.removePending("cmd-1");
    store.upsert(mine);
    expect(store.items().map(itemKey)).toEqual([message(1).id, mine.id, "pending:cmd-2"]);
  });

  it("returns the same items array until something changes", () => {
    const store = new MessageStore();
    store.upsert(message(1));
    const first = store.items();
    expect(store.items()).toBe(first);
    store.upsert(message(1));
    expect(store.items()).toBe(first);
    store.upsert(message(2));
    expect(store.items()).not.toBe(first);
  });

  it("replaceAll keeps pending messages", () => {
    const store = new MessageStore();
    store.upsertMany([message(1), message(2)]);
    store.addPending("cmd", "typed", 0);
    store.replaceAll([message(5)]);
    expect(texts(store)).toEqual(["message 5", "typed"]);
  });
});
