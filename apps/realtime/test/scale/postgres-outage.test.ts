import { randomUUID } from "node:crypto";
import { createDatabase, type Database } from "@repo/db";
import { IN_CI, postgresEngine, probePostgres, type Engine } from "@repo/db/testing";
import { CommandResult, ErrorResponse, HTTP_PATHS, ReadyResponse } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { signIn, sleep, startTestServer, waitFor, type TestServer } from "../sdk/support/server";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

// The service on PostgreSQL, its connections through a TCP proxy the test cuts (as a restart
// of PostgreSQL or a network cut would): typed `unavailable` answers instead of crashes or
// `internal`, /readyz naming the database, then recovery without a restart; and no command is
// both applied and refused — one refused during the cut and resent after applies exactly once.
const unreachable = await probePostgres();
if (unreachable && IN_CI) throw new Error(unreachable);

describe.skipIf(unreachable !== null)("PostgreSQL unreachable under the service", () => {
  let engine: Engine;
  let proxy: TcpProxy;
  let db: Database;
  let service: TestServer;

  beforeAll(async () => {
    engine = await postgresEngine();
    const url = new URL(engine.url ?? "");
    proxy = await startTcpProxy(Number(url.port || 5432), url.hostname);
    url.host = `127.0.0.1:${proxy.port}`;
    db = await createDatabase({ databaseUrl: url.toString() });
    service = await startTestServer({}, { db });
  });
  afterAll(async () => {
    await service?.stop();
    await db?.close();
    await proxy?.close();
    await engine?.teardown();
  });

  async function post(token: string, command: unknown): Promise<{ status: number; result: CommandResult }> {
    const response = await fetch(`${service.baseUrl}${HTTP_PATHS.commands}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(command),
    });
    return { status: response.status, result: CommandResult.parse(await response.json()) };
  }

  test("a cut: unavailable for sign-in, commands and readiness; afterwards everything works, and a refused command applies once", async () => {
    const ada = await signIn(service.baseUrl, "Ada");
    const created = await post(ada.token, { id: randomUUID(), type: "chat.createRoom", payload: { name: `Outage ${randomUUID().slice(0, 6)}` } });
    if (!created.result.ok) throw new Error(created.result.error.message);
    const roomId = (created.result.result as { room: { id: string } }).room.id;

    proxy.cut();
    await sleep(1100); // past the readiness cache
    const ready = await fetch(`${service.baseUrl}${HTTP_PATHS.ready}`);
    expect(ready.status).toBe(503);
    expect(ReadyResponse.parse(await ready.json())).toEqual({ status: "unavailable", database: "down" });
    const signInDuringCut = await fetch(`${service.baseUrl}${HTTP_PATHS.session}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Bob" }),
    });
    expect(signInDuringCut.status).toBe(503);
    expect(ErrorResponse.parse(await signInDuringCut.json()).error.code).toBe("unavailable");
    const send = { id: randomUUID(), type: "chat.send", payload: { roomId, text: "sent during the cut" } };
    const refused = await post(ada.token, send);
    expect(refused.status).toBe(503);
    expect(refused.result).toMatchObject({ ok: false, error: { code: "unavailable" } });

    proxy.restore();
    await waitFor(async () => (await fetch(`${service.baseUrl}${HTTP_PATHS.ready}`)).status === 200, "/readyz to recover", 15_000);
    // The client resends with the same id (unavailable says resend): it applies, once.
    const resent = await post(ada.token, send);
    expect(resent.result.ok).toBe(true);
    const again = await post(ada.token, send);
    expect(again.result).toEqual(resent.result);
    expect(await db.prisma.chatMessage.count({ where: { roomId, text: "sent during the cut" } })).toBe(1);
    expect((await signIn(service.baseUrl, "Bob")).user.name).toBe("Bob");
  });
});
