import { CommandResult, ErrorResponse, type ChatRoom } from "@repo/protocol";
import { afterAll, beforeAll, expect, test } from "vitest";
import { signIn, startServer, type RunningServer } from "./support/start-server";

// F18 through real HTTP: blank-looking or Zalgo names and bidi spoofs are typed 400s that store nothing.

let running: RunningServer;
let token: string;
beforeAll(async () => {
  running = await startServer();
  ({ token } = await signIn(running.baseUrl, "Ada"));
});
afterAll(async () => {
  await running.stop();
});

async function command(type: string, payload: unknown) {
  const response = await fetch(`${running.baseUrl}/v1/commands`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ id: `c_${Math.random().toString(36).slice(2, 12)}`, type, payload }),
  });
  return { status: response.status, body: CommandResult.parse(await response.json()) };
}

test("sign-in refuses names that look blank, carry invisible format characters or stacks of marks", async () => {
  const before = await running.db.prisma.user.count();
  for (const name of ["\u3164", "\u2800", "\u115F\u1160", "Ada\u200E", `Zalgo${"\u0336".repeat(30)}`, "Ada\u{E0041}"]) {
    const response = await fetch(`${running.baseUrl}/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name }),
    });
    expect(response.status, JSON.stringify(name)).toBe(400);
    expect(ErrorResponse.parse(await response.json()).error.code).toBe("validation");
  }
  expect(await running.db.prisma.user.count()).toBe(before);
});

test("room names follow the same rules; messages refuse unpaired bidi controls", async () => {
  const rooms = await running.db.prisma.chatRoom.count();
  for (const name of ["\u3164", "\u2800", `Room${"\u0301".repeat(5)}`, "invoice\u202Efdp"]) {
    const { status, body } = await command("chat.createRoom", { name });
    expect(status, JSON.stringify(name)).toBe(400);
    expect(body).toMatchObject({ ok: false, error: { code: "validation" } });
  }
  expect(await running.db.prisma.chatRoom.count()).toBe(rooms);

  const { body: created } = await command("chat.createRoom", { name: "Spoof test" });
  expect(created.ok).toBe(true);
  const roomId = (created.ok ? (created.result as { room: ChatRoom }).room : null)!.id;
  const refused = await command("chat.send", { roomId, text: "invoice\u202Efdp.exe" });
  expect(refused.status).toBe(400);
  expect(refused.body).toMatchObject({ ok: false, error: { code: "validation", issues: [{ path: ["payload", "text"] }] } });
  expect(await running.db.prisma.chatMessage.count({ where: { roomId } })).toBe(0);
  const paired = await command("chat.send", { roomId, text: "file: \u2067\u05E7\u05D5\u05D1\u05E5\u2069.exe" });
  expect(paired.body.ok).toBe(true);

  const echo = await command("echo", { text: "invoice\u202Efdp.exe" });
  expect(echo).toMatchObject({ status: 400, body: { ok: false, error: { code: "validation" } } });
});
