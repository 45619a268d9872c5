import { echoTopic } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { signIn, sleep, startTestServer, type TestServer } from "./sdk/support/server";

/*
 * `GET /v1/sse?heartbeat=ms`: a client behind a short idle timeout asks for heartbeats more
 * often. Honoured only when shorter than the server's setting, and never under 1 s (each
 * stream's timer is bounded), counted on the wire of a real stream.
 */
describe("SSE heartbeat per request", () => {
  let service: TestServer;
  beforeAll(async () => {
    service = await startTestServer({ sseHeartbeatMs: 60_000 });
  });
  afterAll(async () => {
    await service?.stop();
  });

  /** Comment lines (`:`) seen on a quiet stream within `ms`. */
  async function heartbeatsWithin(query: string, ms: number): Promise<number> {
    const { token, user } = await signIn(service.baseUrl, "Barbara");
    const controller = new AbortController();
    const cursor = encodeURIComponent(`${echoTopic(user.id)}@`);
    const answer = await fetch(`${service.baseUrl}/v1/sse?cursor=${cursor}${query}`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    expect(answer.status).toBe(200);
    let text = "";
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of answer.body!) text += decoder.decode(chunk as Uint8Array, { stream: true });
    })().catch(() => undefined);
    await sleep(ms);
    controller.abort();
    await reading;
    return text.split("\n\n").filter((frame) => frame === ":").length;
  }

  test("a shorter heartbeat is honoured; the server's own stands without one", async () => {
    const [asked, plain] = await Promise.all([heartbeatsWithin("&heartbeat=1000", 2_600), heartbeatsWithin("", 2_600)]);
    expect(asked).toBeGreaterThanOrEqual(2);
    expect(plain).toBe(0);
  });

  test("a heartbeat under 1 s is raised to 1 s", async () => {
    expect(await heartbeatsWithin("&heartbeat=1", 1_600)).toBeLessThanOrEqual(2);
  });

  test("a heartbeat that is not a number is refused as validation", async () => {
    const { token } = await signIn(service.baseUrl, "Niklaus");
    const answer = await fetch(`${service.baseUrl}/v1/sse?cursor=x&heartbeat=soon`, { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe("validation");
  });
});
