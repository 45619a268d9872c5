import { CurrentSessionResponse, ErrorResponse, SessionResponse } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { configFromEnv } from "../src/config";
import { readEnv } from "../src/env";
import { ALLOWED_ORIGIN, startServer, type RunningServer } from "./support/start-server";

let running: RunningServer;
beforeAll(async () => {
  running = await startServer();
});
afterAll(async () => {
  await running.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${running.baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("POST /v1/session", () => {
  test("creates a guest user and returns a signed session as cookie and bearer token", async () => {
    const response = await post("/v1/session", { name: "  Grace Hopper  " });
    expect(response.status).toBe(201);
    const body = SessionResponse.parse(await response.json());
    expect(body.user.name).toBe("Grace Hopper");
    expect(body.token.split(".")).toHaveLength(3);
    expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(Date.now());

    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^sb_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);

    const stored = await running.db.prisma.user.findUnique({ where: { id: body.user.id } });
    expect(stored?.name).toBe("Grace Hopper");

    const byBearer = await fetch(`${running.baseUrl}/v1/session`, { headers: { authorization: `Bearer ${body.token}` } });
    expect(CurrentSessionResponse.parse(await byBearer.json()).user).toEqual(body.user);
    const byCookie = await fetch(`${running.baseUrl}/v1/session`, { headers: { cookie: cookie.split(";")[0]! } });
    expect(byCookie.status).toBe(200);
  });

  test.each([
    ["empty", { name: "" }],
    ["only spaces", { name: "    " }],
    ["33 characters", { name: "x".repeat(33) }],
    ["a control character", { name: "Ada\u0000" }],
    ["a bidi override", { name: "Ada\u202Eevil" }],
    ["a number instead of text", { name: 42 }],
    ["no name", {}],
  ])("refuses a display name that is %s with a typed 400 and creates nothing", async (_label, body) => {
    const before = await running.db.prisma.user.count();
    const response = await post("/v1/session", body);
    expect(response.status).toBe(400);
    const error = ErrorResponse.parse(await response.json()).error;
    expect(error.code).toBe("validation");
    expect(error.issues?.length).toBeGreaterThan(0);
    expect(await running.db.prisma.user.count()).toBe(before);
  });

  test("counts visible characters, so 32 emoji are a valid name", async () => {
    const response = await post("/v1/session", { name: "👩‍💻".repeat(32) });
    expect(response.status).toBe(201);
  });

  test("answers malformed JSON with a typed validation error", async () => {
    const response = await post("/v1/session", "{not json");
    expect(response.status).toBe(400);
    expect(ErrorResponse.parse(await response.json()).error.code).toBe("validation");
  });

  test("answers an oversized body with 413 payload_too_large", async () => {
    const response = await post("/v1/session", { name: "x".repeat(64 * 1024) });
    expect(response.status).toBe(413);
    expect(ErrorResponse.parse(await response.json()).error.code).toBe("payload_too_large");
  });
});

describe("GET and DELETE /v1/session", () => {
  test("without credentials is 401 unauthorized", async () => {
    const response = await fetch(`${running.baseUrl}/v1/session`);
    expect(response.status).toBe(401);
    expect(ErrorResponse.parse(await response.json()).error.code).toBe("unauthorized");
  });

  test("a forged token is refused", async () => {
    const { token } = SessionResponse.parse(await (await post("/v1/session", { name: "Mallory" })).json());
    const [header, payload] = token.split(".");
    const forged = `${header}.${payload}.${"A".repeat(43)}`;
    const response = await fetch(`${running.baseUrl}/v1/session`, { headers: { authorization: `Bearer ${forged}` } });
    expect(response.status).toBe(401);
  });

  test("sign-out revokes the session and clears the cookie", async () => {
    const { token } = SessionResponse.parse(await (await post("/v1/session", { name: "Linus" })).json());
    const auth = { authorization: `Bearer ${token}` };
    const out = await fetch(`${running.baseUrl}/v1/session`, { method: "DELETE", headers: auth });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/sb_session=;/);
    const after = await fetch(`${running.baseUrl}/v1/session`, { headers: auth });
    expect(after.status).toBe(401);
  });
});

describe("the session cookie's Secure flag (F19)", () => {
  const signInCookie = async (baseUrl: string) =>
    (
      await fetch(`${baseUrl}/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Cookie" }),
      })
    ).headers.get("set-cookie") ?? "";

  test("is on by default in production (NODE_ENV unset counts as production), for sign-in and sign-out", async () => {
    const env = readEnv({ SESSION_SECRET: "a-real-secret-of-at-least-thirty-two-characters", ALLOWED_ORIGINS: ALLOWED_ORIGIN });
    const own = await startServer({ config: configFromEnv(env) });
    const cookie = await signInCookie(own.baseUrl);
    expect(cookie).toMatch(/^sb_session=/);
    expect(cookie).toMatch(/;\s*Secure/i);
    const token = cookie.split(";")[0]!;
    const signOut = await fetch(`${own.baseUrl}/v1/session`, { method: "DELETE", headers: { cookie: token, origin: ALLOWED_ORIGIN } });
    expect(signOut.headers.get("set-cookie") ?? "").toMatch(/;\s*Secure/i);
    await own.stop();
  });

  test("is off for local development over http", async () => {
    expect(await signInCookie(running.baseUrl)).not.toMatch(/;\s*Secure/i);
  });
});
