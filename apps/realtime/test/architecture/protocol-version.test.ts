import {
  ErrorResponse,
  HTTP_PATHS,
  PROTOCOL_VERSION,
  SOCKET_PATH,
  VERSION_AUTH_FIELD,
  VERSION_HEADER,
  VERSION_QUERY,
  type ErrorBody,
} from "@repo/protocol";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ALLOWED_ORIGIN, signIn, startServer, type RunningServer } from "../support/start-server";
import { openTopics } from "../support/test-features";

let running: RunningServer;
let token: string;
beforeAll(async () => {
  running = await startServer({ features: [openTopics("system")] });
  ({ token } = await signIn(running.baseUrl));
});
afterAll(async () => {
  await running.stop();
});

const FUTURE = String(PROTOCOL_VERSION + 1);
const headers = () => ({ authorization: `Bearer ${token}`, origin: ALLOWED_ORIGIN });

/** Each transport's subscription request, asking for `version` the way the SDK does (query `v` on URLs). */
const subscriptionPaths = {
  polling: HTTP_PATHS.poll,
  "long-polling": HTTP_PATHS.longPoll,
  sse: HTTP_PATHS.sse,
} as const;

async function expectUnsupported(response: Response) {
  expect(response.status).toBe(400);
  const body = ErrorResponse.parse(await response.json());
  expect(body.error.code).toBe("unsupported_version");
  expect(body.error.issues?.[0]?.message).toContain(String(PROTOCOL_VERSION));
}

describe.each(Object.entries(subscriptionPaths))("protocol version on %s", (_name, path) => {
  test("a version the server speaks is served, as is a request with none", async () => {
    for (const query of [`&${VERSION_QUERY}=${PROTOCOL_VERSION}`, ""]) {
      const response = await fetch(`${running.baseUrl}${path}?cursor=system:ticker@&timeout=1${query}`, {
        headers: headers(),
        signal: AbortSignal.timeout(3000),
      });
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
  });

  test("a version it cannot serve is a typed unsupported_version naming what it speaks", async () => {
    await expectUnsupported(await fetch(`${running.baseUrl}${path}?cursor=system:ticker@&${VERSION_QUERY}=${FUTURE}`, { headers: headers() }));
    await expectUnsupported(await fetch(`${running.baseUrl}${path}?cursor=system:ticker@&${VERSION_QUERY}=banana`, { headers: headers() }));
  });
});

describe("protocol version on commands and reads (header)", () => {
  test("served at the current version, refused at another", async () => {
    const ok = await fetch(`${running.baseUrl}${HTTP_PATHS.session}`, { headers: { ...headers(), [VERSION_HEADER]: String(PROTOCOL_VERSION) } });
    expect(ok.status).toBe(200);
    await expectUnsupported(await fetch(`${running.baseUrl}${HTTP_PATHS.session}`, { headers: { ...headers(), [VERSION_HEADER]: FUTURE } }));
    const command = { id: "version-cmd-1", type: "echo", payload: { text: "hi" } };
    await expectUnsupported(
      await fetch(`${running.baseUrl}${HTTP_PATHS.commands}`, {
        method: "POST",
        headers: { ...headers(), "content-type": "application/json", [VERSION_HEADER]: FUTURE },
        body: JSON.stringify(command),
      }),
    );
  });

  test("operator endpoints are unversioned", async () => {
    const response = await fetch(`${running.baseUrl}${HTTP_PATHS.health}`, { headers: { [VERSION_HEADER]: FUTURE } });
    expect(response.status).toBe(200);
  });
});

describe("protocol version on the WebSocket (handshake auth)", () => {
  function handshake(version: string | undefined): Promise<{ connected: true } | { connected: false; data: ErrorBody }> {
    const socket = io(running.baseUrl, {
      path: SOCKET_PATH,
      transports: ["websocket"],
      reconnection: false,
      auth: { token, ...(version === undefined ? {} : { [VERSION_AUTH_FIELD]: version }) },
      extraHeaders: { origin: ALLOWED_ORIGIN },
    });
    return new Promise((resolve) => {
      socket.on("connect", () => {
        socket.close();
        resolve({ connected: true });
      });
      socket.on("connect_error", (error) => {
        socket.close();
        resolve({ connected: false, data: (error as Error & { data: ErrorBody }).data });
      });
    });
  }

  test("the current version and none connect; another is refused with unsupported_version", async () => {
    expect(await handshake(String(PROTOCOL_VERSION))).toEqual({ connected: true });
    expect(await handshake(undefined)).toEqual({ connected: true });
    const refused = await handshake(FUTURE);
    expect(refused.connected).toBe(false);
    expect(!refused.connected && refused.data.code).toBe("unsupported_version");
  });
});
