import { ConnectionError, createServiceApi } from "@repo/client";
import { ChatRoomsResponse, HTTP_PATHS, PROTOCOL_VERSION, ProtocolError, chatPaths } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { signIn, startTestServer, testClient, type TestServer } from "./support/server";

let running: TestServer;
beforeAll(async () => {
  running = await startTestServer();
});
afterAll(async () => {
  await running?.stop();
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("the service API (before any session)", () => {
  test("signs in, reads the current session, signs out: values, and a typed refusal after", async () => {
    const api = createServiceApi({ baseUrl: running.baseUrl });
    const session = await api.signIn("Ada");
    expect(session.user.name).toBe("Ada");
    const authed = createServiceApi({ baseUrl: running.baseUrl, token: session.token });
    expect((await authed.currentSession())?.user).toEqual(session.user);
    await authed.signOut();
    expect(await authed.currentSession()).toBeNull();
    const refused = await rejection(authed.get(chatPaths.rooms, ChatRoomsResponse));
    expect(refused).toBeInstanceOf(ProtocolError);
    expect((refused as ProtocolError).code).toBe("unauthorized");
  });

  test("a refused sign-in is a typed validation error naming the field", async () => {
    const error = await rejection(createServiceApi({ baseUrl: running.baseUrl }).signIn(""));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe("validation");
    expect((error as ProtocolError).issues?.[0]?.path).toEqual(["name"]);
  });

  test("health and readiness", async () => {
    const api = createServiceApi({ baseUrl: running.baseUrl });
    expect((await api.health()).status).toBe("ok");
    expect(await api.ready()).toEqual({ status: "ready", database: "ok" });
  });

  test("no answer is a ConnectionError", async () => {
    const api = createServiceApi({ baseUrl: "http://127.0.0.1:9", timeoutMs: 2_000 });
    expect(await rejection(api.health())).toBeInstanceOf(ConnectionError);
  });
});

describe("client.get", () => {
  test("reads with the client's auth; a body that does not fit the schema is `internal`", async () => {
    const session = await signIn(running.baseUrl);
    const client = testClient(running.baseUrl, session.token, "polling");
    const page = await client.get(chatPaths.rooms, ChatRoomsResponse);
    expect(Array.isArray(page.rooms)).toBe(true);
    const misread = await rejection(client.get(HTTP_PATHS.session, ChatRoomsResponse));
    expect((misread as ProtocolError).code).toBe("internal");
    client.close();
  });

  test("a version the server cannot serve is `unsupported_version`, and stops the client", async () => {
    const session = await signIn(running.baseUrl);
    const client = testClient(running.baseUrl, session.token, "polling", { protocolVersion: PROTOCOL_VERSION + 1 });
    client.on("error", () => {});
    const error = await rejection(client.get(chatPaths.rooms, ChatRoomsResponse));
    expect((error as ProtocolError).code).toBe("unsupported_version");
    expect(client.status).toBe("closed");
    client.close();
  });
});
