import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { openRawSse } from "./support/raw-sse";

const serviceDir = fileURLToPath(new URL("..", import.meta.url));

/** The real entry point (src/index.ts) as its own process, the way `pnpm start` runs it. */
function startService() {
  const child = spawn(process.execPath, ["--import", "tsx", "src/index.ts"], {
    cwd: serviceDir,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", PGLITE_DIR: "memory", LOG_LEVEL: "info", DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const baseUrl = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${output}`)), 30_000);
    child.stdout.on("data", () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  return { child, baseUrl, exited, output: () => output };
}

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
  });
});
