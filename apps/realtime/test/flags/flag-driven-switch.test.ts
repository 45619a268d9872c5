import { followTransportFlag } from "@repo/client";
import { echoTopic, TRANSPORT_NAMES, type TransportName } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readFlagDefinitions } from "../../src/flags/flag-definitions";
import { record, signIn, startTestServer, testClient, transports, waitFor, type TestServer } from "../sdk/support/server";
import { definitionsWith } from "./support";

/** The bound for a flag change to reach a client. */
const REACH_BOUND_MS = 2_000;

let service: TestServer;
beforeAll(async () => {
  service = await startTestServer();
});
afterAll(() => service.stop());

function chatOn(transport: TransportName): string {
  const variants: Record<string, string> = { default: "default" };
  for (const name of TRANSPORT_NAMES) variants[name] = name;
  return definitionsWith({ "transport.chat": { state: "ENABLED", variants, defaultVariant: transport } });
}

const optionsOf = (name: TransportName) => transports.find((row) => row.name === name)!.options;
const pairs = TRANSPORT_NAMES.flatMap((from) => TRANSPORT_NAMES.filter((to) => to !== from).map((to) => ({ from, to })));

describe.each(pairs)("transport.chat from $from to $to", ({ from, to }) => {
  test("the client follows the flag in place within 2 s: nothing lost or doubled across the switch", async () => {
    service.server.flags.store.load(chatOn(from));
    const ada = await signIn(service.baseUrl, `Ada ${from} ${to}`);
    // Every transport's own test settings; the flag decides which one runs.
    const client = testClient(service.baseUrl, ada.token, from, { ...optionsOf(from), ...optionsOf(to) });
    const switches: Array<{ from: string; to: string }> = [];
    const errors: unknown[] = [];
    const stop = followTransportFlag(client, { flag: "transport.chat", userId: ada.user.id, onSwitch: (change) => switches.push(change), onError: (error) => errors.push(error) });
    try {
      const seen = record(client, echoTopic(ada.user.id), null);
      await client.whenOpen();
      for (let i = 0; i < 3; i++) await client.send({ type: "echo", payload: { text: `before ${i}` } });
      expect(client.transportInUse).toBe(from);

      const changedAt = Date.now();
      service.server.flags.store.load(chatOn(to));
      const during = Promise.all([0, 1, 2].map((i) => client.send({ type: "echo", payload: { text: `during ${i}` } })));
      await waitFor(() => client.transportInUse === to && client.status === "open", `the switch to ${to}`, REACH_BOUND_MS);
      expect(Date.now() - changedAt).toBeLessThan(REACH_BOUND_MS);
      await during;
      for (let i = 0; i < 3; i++) await client.send({ type: "echo", payload: { text: `after ${i}` } });
      await waitFor(() => seen.payloads.length >= 9, "all nine echoes");

      expect(switches).toEqual([{ from, to }]);
      const texts = seen.payloads.map((payload) => (payload as { text: string }).text);
      expect([...texts].sort()).toEqual(["after 0", "after 1", "after 2", "before 0", "before 1", "before 2", "during 0", "during 1", "during 2"]);
      expect(new Set(seen.offsets).size).toBe(seen.offsets.length);
      expect(seen.offsets).toEqual([...seen.offsets].sort((a, b) => a - b));
      expect(errors).toEqual([]);
    } finally {
      stop();
      client.close();
      service.server.flags.store.load(readFlagDefinitions());
    }
  });
});
