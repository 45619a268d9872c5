// Review findings F3 (sign-out, expiry and revocation never end open streams) and F6 (a session
// row not tied to its token's user), on every transport that holds a connection.
import { findActiveSession } from "@repo/db";
import { echoTopic, encodeCursor, type ClosingNotice, type TicketResponse } from "@repo/protocol";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTokenSigner } from "../../src/auth/tokens";
import { DEV_SESSION_SECRET } from "../../src/env";
import { openRawSse } from "../support/raw-sse";
import { signIn, startServer, type RunningServer } from "../support/start-server";

let running: RunningServer;

beforeAll(async () => {
  running = await startServer({ config: { sessionRevalidateMs: 1000, longPollTimeoutMs: 30_000 } });
});
afterAll(async () => {
  await running.stop();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const cursorOf = (userId: string) => encodeURIComponent(encodeCursor({ [echoTopic(userId)]: null }));

async function ticket(token: string): Promise<Response> {
  return fetch(`${running.baseUrl}/v1/sse/ticket`, { method: "POST", headers: auth(token) });
}

/** One open connection per transport for a session: an SSE stream, a socket, a held long poll. */
async function openAll(session: { token: string; user: { id: string } }, baseline = 0) {
  const { ticket: sseTicket } = (await (await ticket(session.token)).json()) as TicketResponse;
  const stream = openRawSse(`${running.baseUrl}/v1/sse?cursor=${cursorOf(session.user.id)}&ticket=${sseTicket}`);
  await stream.waitFor(() => stream.frames.some((frame) => frame.event === "ready"));
  const socket = io(running.baseUrl, { path: "/v1/ws", transports: ["websocket"], reconnection: false, auth: { token: session.token } });
  const socketNotices: ClosingNotice[] = [];
  socket.on("closing", (notice: ClosingNotice) => socketNotices.push(notice));
  await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
  const socketGone = new Promise<void>((resolve) => socket.on("disconnect", () => resolve()));
  const longPoll = fetch(`${running.baseUrl}/v1/long-poll?cursor=${cursorOf(session.user.id)}&timeout=30000`, { headers: auth(session.token) });
  await expect.poll(() => running.server.openConnections()).toBe(3 + baseline);
  return { stream, socket, socketNotices, socketGone, longPoll };
}

async function expectAllEnded(open: Awaited<ReturnType<typeof openAll>>, message: RegExp, remaining = 0) {
  await open.stream.waitFor(() => open.stream.frames.some((frame) => frame.event === "closing"));
  const sseNotice = JSON.parse(open.stream.frames.find((frame) => frame.event === "closing")!.data) as ClosingNotice;
  expect(sseNotice.reason).toBe("unauthorized");
  expect(sseNotice.message).toMatch(message);
  await open.socketGone;
  expect(open.socketNotices.map((notice) => notice.reason)).toEqual(["unauthorized"]);
  const answer = await open.longPoll;
  expect(answer.status).toBe(401);
  expect(((await answer.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  await expect.poll(() => running.server.openConnections()).toBe(remaining);
}

describe("a session ends everything it opened", () => {
  test("sign-out ends the session's SSE stream, socket and held long poll with `unauthorized`; other sessions carry on", async () => {
    const session = await signIn(running.baseUrl, "Ada");
    const other = await signIn(running.baseUrl, "Grace");
    const bystander = io(running.baseUrl, { path: "/v1/ws", transports: ["websocket"], reconnection: false, auth: { token: other.token } });
    await new Promise<void>((resolve) => bystander.on("connect", () => resolve()));
    const open = await openAll(session, 1);

    expect((await fetch(`${running.baseUrl}/v1/session`, { method: "DELETE", headers: auth(session.token) })).status).toBe(204);
    await expectAllEnded(open, /session ended/, 1);
    expect(bystander.connected).toBe(true);
    // Nothing new can be opened with the old token or a ticket minted from it.
    expect((await ticket(session.token)).status).toBe(401);
    bystander.close();
    await expect.poll(() => running.server.openConnections()).toBe(0);
  });

  test("a ticket issued before sign-out no longer opens a stream", async () => {
    const session = await signIn(running.baseUrl, "Ada");
    const { ticket: unused } = (await (await ticket(session.token)).json()) as TicketResponse;
    await fetch(`${running.baseUrl}/v1/session`, { method: "DELETE", headers: auth(session.token) });
    const response = await fetch(`${running.baseUrl}/v1/sse?cursor=${cursorOf(session.user.id)}&ticket=${unused}`);
    expect(response.status).toBe(401);
  });

  test("a revocation made elsewhere (another instance, an operator) ends open connections at the next re-check", async () => {
    const session = await signIn(running.baseUrl, "Linus");
    const open = await openAll(session);
    // Straight in the database, as another instance would: this instance hears nothing.
    await running.db.prisma.session.updateMany({ where: { userId: session.user.id }, data: { revokedAt: new Date() } });
    await expectAllEnded(open, /session ended/);
  });

  test("an expiring session ends its connections when it expires", async () => {
    const short = await startServer({ config: { sessionTtlSeconds: 2, sessionRevalidateMs: 500, longPollTimeoutMs: 30_000 } });
    try {
      const session = await signIn(short.baseUrl, "Ada");
      const { ticket: sseTicket } = (await (await fetch(`${short.baseUrl}/v1/sse/ticket`, { method: "POST", headers: auth(session.token) })).json()) as TicketResponse;
      const stream = openRawSse(`${short.baseUrl}/v1/sse?cursor=${cursorOf(session.user.id)}&ticket=${sseTicket}`);
      await stream.waitFor(() => stream.frames.some((frame) => frame.event === "ready"));
      await stream.waitFor(() => stream.frames.some((frame) => frame.event === "closing"), 6_000);
      expect(JSON.parse(stream.frames.find((frame) => frame.event === "closing")!.data)).toMatchObject({ reason: "unauthorized" });
    } finally {
      await short.stop();
    }
  });

  test("a token whose `sub` was forged over someone else's live session is refused (F6)", async () => {
    const attacker = await signIn(running.baseUrl, "Mallory");
    const victim = await signIn(running.baseUrl, "Victim");
    const attackerClaims = (await createTokenSigner(DEV_SESSION_SECRET).verifySession(attacker.token))!;
    expect(await findActiveSession(running.db.prisma, attackerClaims.sessionId, attacker.user.id)).not.toBeNull();
    const forged = await createTokenSigner(DEV_SESSION_SECRET).signSession({
      userId: victim.user.id,
      name: "Victim",
      sessionId: attackerClaims.sessionId,
      expiresAt: attackerClaims.expiresAt,
    });
    expect((await fetch(`${running.baseUrl}/v1/session`, { headers: auth(forged) })).status).toBe(401);
    const command = { id: crypto.randomUUID(), type: "echo", payload: { text: "as the victim" } };
    const sent = await fetch(`${running.baseUrl}/v1/commands`, {
      method: "POST",
      headers: { ...auth(forged), "content-type": "application/json" },
      body: JSON.stringify(command),
    });
    expect(sent.status).toBe(401);
  });
});
