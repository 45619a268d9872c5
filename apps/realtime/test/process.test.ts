import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { openRawSse } from "./support/raw-sse";
import { startService } from "./support/spawn-service";

const dotEnv = fileURLToPath(new URL("../../../.env", import.meta.url));

describe("the service process", () => {
  test("logs requests without ever logging a token or ticket, and shuts down gracefully on SIGTERM", async () => {
    const service = startService();
    const baseUrl = await service.baseUrl;

    const session = await fetch(`${baseUrl}/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Logged" }),
    });
    const { token } = (await session.json()) as { token: string };
    const cookie = session.headers.get("set-cookie")!.split(";")[0]!;
    await fetch(`${baseUrl}/v1/session`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${baseUrl}/v1/session`, { headers: { cookie } });
    const { ticket } = (await (
      await fetch(`${baseUrl}/v1/sse/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } })
    ).json()) as { ticket: string };
    const stream = openRawSse(`${baseUrl}/v1/sse?cursor=system:ticker@&ticket=${ticket}`);
    await stream.waitFor(() => stream.frames.some((f) => f.event === "ready"));
    // A replayed ticket is refused (and logged as a refusal, still without the ticket).
    expect((await fetch(`${baseUrl}/v1/sse?cursor=system:ticker@&ticket=${ticket}`)).status).toBe(401);

    service.child.kill("SIGTERM");
    await stream.waitFor(() => stream.frames.some((f) => f.event === "closing"));
    expect(await service.exited).toBe(0);

    const logs = service.output();
    expect(logs).toContain("shutting down");
    expect(logs).toContain("shutdown complete");
    expect(logs).toContain("/v1/sse");
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(ticket);
    expect(logs).not.toContain(cookie.split("=")[1]!);
  }, 90_000);

  test.skipIf(existsSync(dotEnv) && /^\s*SESSION_SECRET=/m.test(readFileSync(dotEnv, "utf8")))(
    "refuses to start without SESSION_SECRET when NODE_ENV is unset (F6: it counts as production)",
    async () => {
      const service = startService({ env: { NODE_ENV: undefined, SESSION_SECRET: undefined } });
      expect(await service.exited).toBe(1);
      expect(service.output()).toContain("SESSION_SECRET must be set");
      expect(service.output()).toContain("NODE_ENV unset counts as production");
      expect(service.output()).not.toContain("Server listening");
    },
    90_000,
  );

  test("an unhandled rejection is logged loudly and the service keeps serving (last line for F1)", async () => {
    const service = startService({ injectFaults: true });
    const baseUrl = await service.baseUrl;
    service.child.kill("SIGUSR2");
    await waitFor(() => service.output().includes("injected rejection from the test"));
    const line = logLines(service.output()).find((l) => l.err?.message === "injected rejection from the test");
    expect(line?.level).toBe(50);
    expect(line?.msg).toContain("unhandled promise rejection");
    expect(line?.err?.stack).toBeTruthy();

    // Still up, and still doing real work.
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${baseUrl}/v1/session`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"After"}' })).status).toBe(201);
    service.child.kill("SIGTERM");
    expect(await service.exited).toBe(0);
  }, 90_000);

  test("an uncaught exception is logged as fatal, open streams are drained with server_shutdown, and the process exits 1", async () => {
    const service = startService({ injectFaults: true });
    const baseUrl = await service.baseUrl;
    const session = await fetch(`${baseUrl}/v1/session`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"Crash"}' });
    const { token } = (await session.json()) as { token: string };
    const { ticket } = (await (
      await fetch(`${baseUrl}/v1/sse/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } })
    ).json()) as { ticket: string };
    const stream = openRawSse(`${baseUrl}/v1/sse?cursor=system:ticker@&ticket=${ticket}`);
    await stream.waitFor(() => stream.frames.some((f) => f.event === "ready"));

    service.child.kill("SIGHUP");
    await stream.waitFor(() => stream.frames.some((f) => f.event === "closing"), 20_000);
    expect(JSON.parse(stream.frames.find((f) => f.event === "closing")!.data)).toMatchObject({ reason: "server_shutdown" });
    expect(await service.exited).toBe(1);
    const line = logLines(service.output()).find((l) => l.err?.message === "injected exception from the test");
    expect(line?.level).toBe(60);
    expect(line?.msg).toContain("uncaught exception");
    expect(service.output()).toContain("shutdown complete");
  }, 90_000);
});

/** The service's JSON log lines (pino), skipping anything else on the streams. */
function logLines(output: string): Array<{ level: number; msg: string; err?: { message: string; stack?: string } }> {
  return output.split("\n").flatMap((line) => {
    try {
      return [JSON.parse(line) as { level: number; msg: string; err?: { message: string; stack?: string } }];
    } catch {
      return [];
    }
  });
}

async function waitFor(check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
