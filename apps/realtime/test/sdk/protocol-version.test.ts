import { PROTOCOL_VERSION, ProtocolError, echoTopic } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { record, signIn, sleep, startTestServer, testClient, transports, waitFor, type TestServer } from "./support/server";

let running: TestServer;
beforeAll(async () => {
  running = await startTestServer();
});
afterAll(async () => {
  await running?.stop();
});

describe("protocol version negotiation", () => {
  // An out-of-date client: it claims a version this server does not serve, on every transport's own channel
  // (the `v` query of subscription URLs, the version header of the ticket request, the socket handshake's auth).
  test.each(transports)("a client the server cannot serve stops over $name with unsupported_version and does not retry", async ({ name, options }) => {
    const session = await signIn(running.baseUrl);
    let fetches = 0;
    const client = testClient(running.baseUrl, session.token, name, {
      ...options,
      protocolVersion: PROTOCOL_VERSION + 1,
      fetch: (input, init) => {
        fetches++;
        return fetch(input, init);
      },
    });
    const stops: unknown[] = [];
    const errors: unknown[] = [];
    client.on("status", (status, detail) => {
      if (status === "closed") stops.push(detail.error);
    });
    client.on("error", (error) => errors.push(error));
    record(client, echoTopic(session.user.id), null);

    await waitFor(() => client.status === "closed", `${name} to stop`);
    expect(stops).toHaveLength(1);
    expect(stops[0]).toBeInstanceOf(ProtocolError);
    expect((stops[0] as ProtocolError).code).toBe("unsupported_version");
    expect(errors).toEqual([stops[0]]);

    // Several backoff windows (20–200 ms in tests) later: still stopped, nothing asked again.
    const asked = { fetches, requests: client.metrics().requests };
    await sleep(600);
    expect(client.status).toBe("closed");
    expect(client.metrics().reconnects).toBe(0);
    expect({ fetches, requests: client.metrics().requests }).toEqual(asked);
    client.close();
  });
});
