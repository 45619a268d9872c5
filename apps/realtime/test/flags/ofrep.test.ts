import { FLAGS_TOPIC, OfrepBulkResponse, OfrepEvaluation, OfrepStreamMessage } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { record, testClient, transports, waitFor } from "../sdk/support/server";
import { openRawSse } from "../support/raw-sse";
import { ALLOWED_ORIGIN, signIn, startServer, type RunningServer } from "../support/start-server";
import { chatOnSse, definitionsWith } from "./support";

let running: RunningServer;
let ada: Awaited<ReturnType<typeof signIn>>;

beforeAll(async () => {
  running = await startServer();
  ada = await signIn(running.baseUrl, "Ada");
});
afterAll(() => running.stop());

function evaluate(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${running.baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ada.token}`, ...headers },
    body: JSON.stringify(body),
  });
}

const mine = () => ({ context: { targetingKey: ada.user.id } });

describe("OFREP, served by the realtime service", () => {
  test("bulk: every enabled flag for the user, an ETag, 304 while nothing changed, 200 with a new tag after a change", async () => {
    const first = await evaluate("/ofrep/v1/evaluate/flags", mine());
    expect(first.status).toBe(200);
    const body = OfrepBulkResponse.parse(await first.json());
    const values = Object.fromEntries(body.flags.map((flag) => [flag.key, "value" in flag ? flag.value : flag.errorCode]));
    expect(values).toMatchObject({ "transport.default": "websocket", "transport.chat": "default", "transport.sse.enabled": true, "game.tick-hz": 15 });
    expect(body.eventStreams).toEqual([{ type: "sse", endpoint: { requestUri: "/ofrep/v1/events" }, inactivityDelaySec: 120 }]);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^".+"$/);

    const again = await evaluate("/ofrep/v1/evaluate/flags", mine(), { "if-none-match": etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");

    running.server.flags.store.load(definitionsWith(chatOnSse(100)));
    const changed = await evaluate("/ofrep/v1/evaluate/flags", mine(), { "if-none-match": etag! });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    const chat = OfrepBulkResponse.parse(await changed.json()).flags.find((flag) => flag.key === "transport.chat");
    expect(chat).toMatchObject({ value: "sse", variant: "sse" });
  });

  test("single flag: its evaluation; an unknown or disabled one is FLAG_NOT_FOUND", async () => {
    const known = await evaluate("/ofrep/v1/evaluate/flags/polling.interval-ms", mine());
    expect(known.status).toBe(200);
    expect(OfrepEvaluation.parse(await known.json())).toMatchObject({ key: "polling.interval-ms", value: 1000, variant: "normal", reason: "STATIC" });

    const unknown = await evaluate("/ofrep/v1/evaluate/flags/no.such.flag", mine());
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ key: "no.such.flag", errorCode: "FLAG_NOT_FOUND" });

    running.server.flags.store.load(definitionsWith({ "lab.beta": { state: "DISABLED", variants: { on: true }, defaultVariant: "on" } }));
    const disabled = await evaluate("/ofrep/v1/evaluate/flags/lab.beta", mine());
    expect(disabled.status).toBe(404);
    expect(await disabled.json()).toMatchObject({ errorCode: "FLAG_NOT_FOUND" });
  });

  test("the context is the signed-in user's: a missing targeting key, someone else's, or a bad body is a 400; no session is a 401", async () => {
    const cases: Array<[unknown, string]> = [
      [{}, "TARGETING_KEY_MISSING"],
      [{ context: { cohort: "beta" } }, "TARGETING_KEY_MISSING"],
      [{ context: { targetingKey: "someone-else" } }, "INVALID_CONTEXT"],
      [{ context: "text" }, "PARSE_ERROR"],
    ];
    for (const [body, errorCode] of cases) {
      for (const path of ["/ofrep/v1/evaluate/flags", "/ofrep/v1/evaluate/flags/transport.chat"]) {
        const answer = await evaluate(path, body);
        expect([path, body, answer.status]).toEqual([path, body, 400]);
        expect(await answer.json()).toMatchObject({ errorCode });
      }
    }
    const anonymous = await fetch(`${running.baseUrl}/ofrep/v1/evaluate/flags`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(mine()) });
    expect(anonymous.status).toBe(401);
  });

  test("the change stream says refetchEvaluation with the new etag on every change, and bounds what one address holds open", async () => {
    const streams = Array.from({ length: 8 }, () => openRawSse(`${running.baseUrl}/ofrep/v1/events`));
    try {
      for (const stream of streams) expect((await stream.opened).statusCode).toBe(200);
      const ninth = await fetch(`${running.baseUrl}/ofrep/v1/events`);
      expect(ninth.status).toBe(429);
      expect(await ninth.json()).toMatchObject({ error: { code: "rate_limited" } });

      running.server.flags.store.load(definitionsWith(chatOnSse(50)));
      const etag = running.server.flags.store.etag;
      for (const stream of streams) {
        await stream.waitFor(() => stream.frames.some((frame) => frame.data !== ""));
        const message = OfrepStreamMessage.parse(JSON.parse(stream.frames.find((frame) => frame.data !== "")!.data));
        expect(message).toMatchObject({ type: "refetchEvaluation", etag });
      }
    } finally {
      for (const stream of streams) stream.destroy();
    }
    // Closed streams free their places.
    await waitFor(async () => (await fetch(`${running.baseUrl}/ofrep/v1/events`, { signal: AbortSignal.timeout(500) }).catch(() => ({ status: 0 }))).status === 200, "a free place");
  });
});

describe("OFREP from the web app's origin (the browser's OFREP web provider)", () => {
  test("the bulk evaluation may send If-None-Match with the session cookie, and reads the ETag", async () => {
    const preflight = await fetch(`${running.baseUrl}/ofrep/v1/evaluate/flags`, {
      method: "OPTIONS",
      headers: {
        origin: ALLOWED_ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,if-none-match",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(preflight.headers.get("access-control-allow-credentials")).toBe("true");
    expect(preflight.headers.get("access-control-allow-headers")?.split(/, */)).toEqual(expect.arrayContaining(["content-type", "if-none-match"]));

    const first = await evaluate("/ofrep/v1/evaluate/flags", mine(), { origin: ALLOWED_ORIGIN });
    expect(first.status).toBe(200);
    expect(first.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect(first.headers.get("access-control-expose-headers")?.split(/, */)).toContain("etag");
    const again = await evaluate("/ofrep/v1/evaluate/flags", mine(), { origin: ALLOWED_ORIGIN, "if-none-match": first.headers.get("etag")! });
    expect(again.status).toBe(304);
    expect(again.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
  });

  test("the change stream answers a credential-less EventSource from the web app's origin, and refuses a foreign one", async () => {
    const stream = openRawSse(`${running.baseUrl}/ofrep/v1/events`, { origin: ALLOWED_ORIGIN });
    try {
      const response = await stream.opened;
      expect(response.statusCode).toBe(200);
      expect(response.headers["access-control-allow-origin"]).toBe(ALLOWED_ORIGIN);
      expect(response.headers["content-type"]).toMatch(/^text\/event-stream/);
    } finally {
      stream.destroy();
    }
    const foreign = await fetch(`${running.baseUrl}/ofrep/v1/events`, { headers: { origin: "http://evil.example" } });
    expect(foreign.status).toBe(403);
  });
});

/** A rollout share no earlier load used, so every load is a change. */
let nextShare = 11;

describe.each(transports)("flags:changes over $name", ({ name, options }) => {
  test("a change of definitions reaches a client on its own transport", async () => {
    const client = testClient(running.baseUrl, ada.token, name, options);
    try {
      const seen = record(client, FLAGS_TOPIC, null);
      await client.whenOpen();
      await new Promise((resolve) => setTimeout(resolve, 100));
      running.server.flags.store.load(definitionsWith(chatOnSse(nextShare++)));
      await waitFor(() => seen.payloads.length >= 1, `flags.changed over ${name}`);
      expect(seen.payloads.at(-1)).toEqual({ etag: running.server.flags.store.etag, flagsChanged: ["transport.chat"] });
      expect(seen.errors).toEqual([]);
    } finally {
      client.close();
    }
  });
});
