// F15: close() drains. In-flight requests finish within shutdownGraceMs, streams end with the
// `server_shutdown` notice, the listener stops accepting, and what is left is cut at the deadline.
import { ClosingNotice } from "@repo/protocol";
import { describe, expect, test } from "vitest";
import { openRawSse } from "./support/raw-sse";
import { bodyOf, openRawRequest, statusOf } from "./support/raw-http";
import { signIn, startServer } from "./support/start-server";

async function sseTicket(baseUrl: string, token: string) {
  const response = await fetch(`${baseUrl}/v1/sse/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  return ((await response.json()) as { ticket: string }).ticket;
}

/** Resolves once fetch can no longer connect (the listener is closed). */
async function refusesConnections(baseUrl: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const refused = await fetch(`${baseUrl}/healthz`, { headers: { connection: "close" } }).then(
      () => false,
      () => true,
    );
    if (refused) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

// Each test boots its own service (PGlite included): slow on a loaded machine, hence the timeouts.
describe("graceful drain on close()", () => {
  test("a command in flight when close() starts still gets its 200 and its row; open streams get server_shutdown", async () => {
    const grace = 5000;
    const running = await startServer({ config: { shutdownGraceMs: grace } });
    const { token, user } = await signIn(running.baseUrl);
    const stream = openRawSse(`${running.baseUrl}/v1/sse?cursor=echo:${user.id}@&ticket=${await sseTicket(running.baseUrl, token)}`);
    await stream.waitFor(() => stream.frames.some((f) => f.event === "ready"));

    // A command whose body is only half sent: the server has it in flight.
    const body = JSON.stringify({ id: "drain-command-1", type: "echo", payload: { text: "in flight during shutdown" } });
    const headersSeen = new Promise((resolve) => running.server.app.server.once("request", resolve));
    const command = openRawRequest(running.baseUrl, {
      method: "POST",
      path: "/v1/commands",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
    });
    await command.write(body.slice(0, 10));
    await headersSeen;

    const started = Date.now();
    const closed = running.server.close();

    // Streams are ended at once, with the reason.
    await stream.waitFor(() => stream.frames.some((f) => f.event === "closing"));
    const notice = ClosingNotice.parse(JSON.parse(stream.frames.find((f) => f.event === "closing")!.data));
    expect(notice.reason).toBe("server_shutdown");
    // No new connections.
    expect(await refusesConnections(running.baseUrl)).toBe(true);

    // The rest of the body arrives during the drain: the command runs and answers.
    await command.write(body.slice(10));
    const answer = await command.ended;
    expect(statusOf(answer)).toBe(200);
    expect(answer.toLowerCase()).toContain("connection: close");
    expect(bodyOf(answer)).toMatchObject({ ok: true });
    await closed;
    expect(Date.now() - started).toBeLessThan(grace);
    const receipt = await running.db.prisma.commandReceipt.findUnique({ where: { userId_id: { userId: user.id, id: "drain-command-1" } } });
    expect(receipt).toMatchObject({ type: "echo" });
    await running.db.close();
  }, 60_000);

  test("a request that never completes is cut when the grace period is over, not before", async () => {
    const grace = 800;
    const running = await startServer({ config: { shutdownGraceMs: grace } });
    const { token } = await signIn(running.baseUrl);
    const headersSeen = new Promise((resolve) => running.server.app.server.once("request", resolve));
    const stuck = openRawRequest(running.baseUrl, {
      method: "POST",
      path: "/v1/commands",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": "100" },
    });
    await stuck.write("{");
    await headersSeen;

    const started = Date.now();
    let cutAt = 0;
    void stuck.ended.then(() => (cutAt = Date.now()));
    await running.server.close();
    const elapsed = Date.now() - started;
    await stuck.ended;
    // It had the whole grace period, and close() did not wait much past it.
    expect(cutAt - started).toBeGreaterThanOrEqual(grace - 50);
    expect(elapsed).toBeGreaterThanOrEqual(grace - 50);
    expect(elapsed).toBeLessThan(grace + 2000);
    await running.db.close();
  }, 60_000);

  test("close() twice is one drain", async () => {
    const running = await startServer();
    const first = running.server.close();
    expect(running.server.close()).toBe(first);
    await first;
    await running.db.close();
  });
});
