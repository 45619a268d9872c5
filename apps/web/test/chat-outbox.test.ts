import { ConnectionError, ProtocolError } from "@repo/client";
import { ERROR_POLICY } from "@repo/protocol";
import { describe, expect, it } from "vitest";
import { message } from "./fixtures";
import { FakeClient, ME, freshGlobalsPerTest, open, serveReads, settle } from "./support/chat-room-harness";

freshGlobalsPerTest();

describe("ChatRoomController: what I send", () => {
  it("shows my message at once and exactly once, even when its event beats the answer", async () => {
    serveReads([{ messages: [], hasMore: false }]);
    const client = new FakeClient();
    let answer: (value: unknown) => void = () => undefined;
    client.answer = (command) =>
      command.type === "chat.send" ? new Promise((resolve) => (answer = resolve)) : client.defaultAnswer(command);
    const room = open(client);
    await settle();

    room.send("hello");
    expect(room.getSnapshot().items).toEqual([expect.objectContaining({ text: "hello", state: "sending" })]);
    const sent = client.sent.find((c) => c.type === "chat.send")!;
    expect(sent.id).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const mine = message(5, { author: ME, text: "hello" });
    client.emit("message.created", { message: mine });
    expect(room.getSnapshot().items).toEqual([mine]);

    answer({ message: mine });
    await settle();
    expect(room.getSnapshot().items).toEqual([mine]);
  });

  it("a failed send can be retried with the same command id", async () => {
    serveReads([{ messages: [], hasMore: false }]);
    const client = new FakeClient();
    const room = open(client);
    await settle();

    client.answer = () => Promise.reject(new ProtocolError("internal", "Boom"));
    room.send("again");
    await settle();
    const failed = room.getSnapshot().items[0];
    // The words come from the protocol's error policy, not the server's message.
    expect(failed).toMatchObject({ state: "failed", failure: { code: "internal", message: ERROR_POLICY.internal.text } });

    const mine = message(6, { author: ME, text: "again" });
    client.answer = () => Promise.resolve({ message: mine });
    room.retry((failed as { commandId: string }).commandId);
    await settle();
    const sends = client.sent.filter((c) => c.type === "chat.send");
    expect(sends).toHaveLength(2);
    expect(sends[1]!.id).toBe(sends[0]!.id);
    expect(room.getSnapshot().items).toEqual([mine]);
  });

  it("resends by itself when the connection comes back after a send lost it", async () => {
    serveReads([{ messages: [], hasMore: false }]);
    const client = new FakeClient();
    const room = open(client);
    await settle();

    client.setStatus("reconnecting");
    client.answer = () => Promise.reject(new ConnectionError("network", "down"));
    room.send("while down");
    await settle();
    expect(room.getSnapshot().items[0]).toMatchObject({ state: "failed", failure: { code: "network" } });

    const mine = message(7, { author: ME, text: "while down" });
    client.answer = () => Promise.resolve({ message: mine });
    client.setStatus("open");
    await settle();
    const sends = client.sent.filter((c) => c.type === "chat.send");
    expect(sends).toHaveLength(2);
    expect(sends[1]!.id).toBe(sends[0]!.id);
    expect(room.getSnapshot().items).toEqual([mine]);
  });

  it("a rate-limited send says how long to wait", async () => {
    serveReads([{ messages: [], hasMore: false }]);
    const client = new FakeClient();
    const room = open(client, () => 1_000_000);
    await settle();

    client.answer = () => Promise.reject(new ProtocolError("rate_limited", "Too many", { retryAfter: 6.2 }));
    room.send("too fast");
    await settle();
    expect(room.getSnapshot().items[0]).toMatchObject({
      state: "failed",
      failure: { code: "rate_limited", message: "Slow down: you can send again in 7 s.", retryAt: 1_007_000 },
    });
    expect(room.getSnapshot().rateLimitedUntil).toBe(1_007_000);
    room.stop();
  });

  it("sends one message at a time, in the order written: the next waits for the answer to the one before", async () => {
    serveReads([{ messages: [], hasMore: false }]);
    const client = new FakeClient();
    const answers: Array<() => void> = [];
    client.answer = (command) =>
      command.type === "chat.send"
        ? new Promise((resolve) => answers.push(() => resolve({ message: message(20 + answers.length, { author: ME, text: String(command.payload.text) }) })))
        : client.defaultAnswer(command);
    const room = open(client);
    await settle();

    room.send("first");
    room.send("second");
    room.send("third");
    const sends = () => client.sent.filter((c) => c.type === "chat.send").map((c) => c.payload.text);
    // All three show at once, but only the first is on the wire.
    expect(room.getSnapshot().items.map((item) => item.text)).toEqual(["first", "second", "third"]);
    expect(sends()).toEqual(["first"]);
    answers[0]!();
    await settle();
    expect(sends()).toEqual(["first", "second"]);
    answers[1]!();
    await settle();
    answers[2]!();
    await settle();
    expect(sends()).toEqual(["first", "second", "third"]);
    room.stop();
  });

  it("a failed send does not hold up the ones after it", async () => {
    serveReads([{ messages: [], hasMore: false }]);
    const client = new FakeClient();
    client.answer = (command) =>
      command.type !== "chat.send"
        ? client.defaultAnswer(command)
        : command.payload.text === "bad"
          ? Promise.reject(new ProtocolError("internal", "Boom"))
          : Promise.resolve({ message: message(30, { author: ME, text: String(command.payload.text) }) });
    const room = open(client);
    await settle();

    room.send("bad");
    room.send("good");
    await settle();
    // Posted messages list first; the failed one waits below them for Retry.
    expect(room.getSnapshot().items).toEqual([
      expect.objectContaining({ text: "good", id: message(30).id }),
      expect.objectContaining({ text: "bad", state: "failed" }),
    ]);
    room.stop();
  });
});
