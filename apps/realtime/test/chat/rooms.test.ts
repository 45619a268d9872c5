import { ChatRoomsResponse, ROOM_ID_PATTERN, chatTopic, type ChatMessage, type ChatRoom } from "@repo/protocol";
import { expect, test } from "vitest";
import { describeOnEngines, sleep, waitFor, type Person } from "./support/chat-harness";
import { TRANSPORTS, mustSubscribe, subscribeAt, type WireSubscription } from "./support/wire";

await describeOnEngines("chat rooms and membership on $name", (suite) => {
  async function rooms(who: Person) {
    const { status, body } = await who.get("/v1/chat/rooms");
    expect(status).toBe(200);
    return ChatRoomsResponse.parse(body).rooms;
  }

  test("the lobby always exists; the list shows membership and member counts", async () => {
    const { chat, ada, bob } = suite;
    const before = await rooms(ada);
    expect(before[0]).toMatchObject({ id: "lobby", name: "Lobby", joined: false });
    const { room } = await ada.ok<{ room: ChatRoom }>("chat.join", { roomId: "lobby" });
    expect(room).toMatchObject({ id: "lobby", joined: true, members: before[0]!.members + 1 });
    // Joining again changes nothing.
    const again = await ada.ok<{ room: ChatRoom }>("chat.join", { roomId: "lobby" });
    expect(again.room.members).toBe(room.members);
    expect((await rooms(ada))[0]).toMatchObject({ id: "lobby", joined: true, members: room.members });
    expect((await rooms(bob))[0]).toMatchObject({ id: "lobby", joined: false, members: room.members });
    expect((await fetch(`${chat.baseUrl}/v1/chat/rooms`)).status).toBe(401);
  });

  test("room names are validated and unique (by the id derived from them)", async () => {
    const { ada, bob } = suite;
    const { room } = await ada.ok<{ room: ChatRoom }>("chat.createRoom", { name: "  Team  Standup " });
    expect(room).toMatchObject({ id: "team-standup", name: "Team  Standup", joined: true, members: 1 });
    expect((await rooms(bob)).find((r) => r.id === "team-standup")).toMatchObject({ joined: false, members: 1 });

    for (const taken of ["Team Standup", "team-standup!", "TEAM STANDUP", "Lobby"]) {
      expect(await bob.fails("chat.createRoom", { name: taken })).toMatchObject({ status: 409, code: "conflict" });
    }
    const invalid = ["", "   ", "x".repeat(49), "evil\u202Eeman", "zero\u200Bwidth", "ctrl\u0001", "line\nbreak", 42];
    for (const name of invalid) {
      const error = await bob.fails("chat.createRoom", { name });
      expect([name, error.status, error.code]).toEqual([name, 400, "validation"]);
    }
    // NFC and trimmed; accents folded into the id.
    const cafe = await bob.ok<{ room: ChatRoom }>("chat.createRoom", { name: " Cafe\u0301 " });
    expect(cafe.room).toMatchObject({ id: "cafe", name: "Café" });
    // 48 visible characters, however many code units.
    const wide = await bob.ok<{ room: ChatRoom }>("chat.createRoom", { name: "👩‍💻".repeat(48) });
    expect(wide.room.id).toMatch(ROOM_ID_PATTERN);
    const japanese = await bob.ok<{ room: ChatRoom }>("chat.createRoom", { name: "開発チーム" });
    expect(japanese.room.id).toMatch(ROOM_ID_PATTERN);
    expect(await ada.fails("chat.createRoom", { name: "開発チーム" })).toMatchObject({ code: "conflict" });
    expect((await rooms(ada)).filter((r) => r.name === "開発チーム")).toHaveLength(1);

    expect(await ada.fails("chat.join", { roomId: "no-such-room" })).toMatchObject({ status: 404, code: "not_found" });
    expect(await ada.fails("chat.join", { roomId: "Bad_Id" })).toMatchObject({ status: 400, code: "validation" });
    expect(await ada.fails("chat.leave", { roomId: "no-such-room" })).toMatchObject({ status: 404, code: "not_found" });
  });

  test("only members read a room, on every transport; join opens it, leave closes it at once, live streams included", async () => {
    const { chat, ada, bob } = suite;
    const { room } = await ada.ok<{ room: ChatRoom }>("chat.createRoom", { name: `Private ${Date.now()}` });
    const topic = chatTopic(room.id);
    const adaFeed = await mustSubscribe("websocket", chat.baseUrl, ada.token, `${topic}@`);
    const bobs: WireSubscription[] = [];
    try {
      // A non-member: refused on all four transports, and every read and write.
      for (const transport of TRANSPORTS) {
        const outcome = await subscribeAt(transport, chat.baseUrl, bob.token, `${topic}@`);
        expect([transport, outcome.ok ? 200 : outcome.status]).toEqual([transport, 403]);
      }
      expect(await bob.fails("chat.send", { roomId: room.id, text: "let me in" })).toMatchObject({ status: 403, code: "forbidden" });
      expect(await bob.fails("chat.typing", { roomId: room.id })).toMatchObject({ status: 403, code: "forbidden" });
      expect((await bob.get(`/v1/chat/rooms/${room.id}/messages`)).status).toBe(403);
      expect((await bob.get(`/v1/chat/rooms/${room.id}/presence`)).status).toBe(403);
      expect(await bob.fails("chat.send", { roomId: "no-such-room", text: "hello?" })).toMatchObject({ status: 404 });

      // Joined: everything opens.
      await bob.ok("chat.join", { roomId: room.id });
      for (const transport of TRANSPORTS) bobs.push(await mustSubscribe(transport, chat.baseUrl, bob.token, `${topic}@`));
      const { message: hello } = await ada.ok<{ message: ChatMessage }>("chat.send", { roomId: room.id, text: "hello" });
      const texts = (sub: WireSubscription) =>
        sub.events().filter((e) => e.type === "message.created").map((e) => (e.payload as { message: ChatMessage }).message.text);
      await waitFor(() => bobs.every((sub) => texts(sub).includes("hello")), "hello on all four transports");
      expect((await bob.get(`/v1/chat/rooms/${room.id}/messages`)).status).toBe(200);
      await bob.ok("chat.send", { roomId: room.id, text: "thanks" });

      // Left: refused again at once, and open streams stop delivering.
      await bob.ok("chat.leave", { roomId: room.id });
      await ada.ok("chat.send", { roomId: room.id, text: "after bob left" });
      await waitFor(() => texts(adaFeed).includes("after bob left"), "ada's own copy");
      await waitFor(
        () => bobs.filter((sub) => sub.transport.endsWith("polling")).every((sub) => sub.failures().includes(403)),
        "the polls to be refused",
      );
      await sleep(200);
      for (const sub of bobs) expect([sub.transport, texts(sub).includes("after bob left")]).toEqual([sub.transport, false]);
      for (const transport of TRANSPORTS) {
        const outcome = await subscribeAt(transport, chat.baseUrl, bob.token, `${topic}@`);
        expect([transport, outcome.ok ? 200 : outcome.status]).toEqual([transport, 403]);
      }
      expect(await bob.fails("chat.send", { roomId: room.id, text: "still here?" })).toMatchObject({ code: "forbidden" });
      expect((await bob.get(`/v1/chat/rooms/${room.id}/messages`)).status).toBe(403);

      // Ada saw Bob come and go, as a member and as a reader.
      const types = adaFeed
        .events()
        .filter((e) => (e.payload as { user?: { id: string } }).user?.id === bob.user.id)
        .map((e) => e.type);
      expect(types).toEqual(["member.joined", "presence.joined", "member.left", "presence.left"]);
      expect(hello.author).toEqual(ada.user);
    } finally {
      await adaFeed.close();
      for (const sub of bobs) await sub.close();
    }
  });
});
