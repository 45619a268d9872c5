import { readFileSync } from "node:fs";
import { Command, echoTopic } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { record, signIn, startTestServer, testClient, transports, waitFor, type TestServer } from "../sdk/support/server";

/*
 * Onboarding exercise "add a command" (docs/onboarding.md, walkthrough in docs/adding-a-feature.md).
 * One check, run for two commands of the echo feature:
 * - `echo`, shipped: the reference solution. Always runs (CI), so the check itself is known to work.
 * - `echo.shout`, the exercise: runs only under `pnpm exercise:check add-command`
 *   (EXERCISE=add-command), and fails until the exercise is done.
 * Each: the protocol knows the command and the generated JSON Schema lists it; on every transport
 * the event arrives once with the expected payload, and a retried command id has one effect.
 */
const SCHEMA_FILE = new URL("../../../../docs/protocol.schema.json", import.meta.url);

const commands = [
  { type: "echo", event: "echo", expected: "hello", run: true },
  { type: "echo.shout", event: "shouted", expected: "HELLO", run: process.env.EXERCISE === "add-command" },
] as const;

/** `client.send` is typed from the protocol: a command the protocol lacks (the exercise before it is done) must still reach the server. */
type LooseSend = (input: { id: string; type: string; payload: { text: string } }) => Promise<unknown>;

let running: TestServer;
beforeAll(async () => {
  running = await startTestServer();
});
afterAll(async () => {
  await running?.stop();
});

describe.each(commands.filter((command) => command.run))("command $type", ({ type, event, expected }) => {
  test("the protocol declares it and pnpm generate put it in docs/protocol.schema.json", () => {
    expect(Command.safeParse({ id: "check-0001", type, payload: { text: "hello" } }).success, `${type} in @repo/protocol's Command`).toBe(true);
    expect(readFileSync(SCHEMA_FILE, "utf8"), "run pnpm generate").toContain(`"${type}"`);
  });

  test.each(transports)("over $name: its event arrives once, and a retried command id has one effect", async ({ name, options }) => {
    const session = await signIn(running.baseUrl);
    const client = testClient(running.baseUrl, session.token, name, options);
    try {
      const topic = echoTopic(session.user.id);
      const types: string[] = [];
      client.on("event", (envelope) => {
        if (envelope.topic === topic) types.push(envelope.type);
      });
      const seen = record(client, topic, null);
      await client.whenOpen();
      const send = client.send.bind(client) as LooseSend;

      const command = { id: `check-${event}-${name}`, type, payload: { text: "hello" } };
      const result = await send(command);
      expect(result).toMatchObject({ topic });
      expect(await send(command), "the same id again: the first result").toEqual(result);
      // A plain echo after it: once it has arrived, a duplicate would have too.
      await send({ id: `after-${event}-${name}`, type: "echo", payload: { text: "after" } });
      await waitFor(() => seen.payloads.length >= 2, "the command's event and the echo after it");
      expect(seen.payloads).toEqual([
        { text: expected, from: session.user.id },
        { text: "after", from: session.user.id },
      ]);
      expect(types).toEqual([event, "echo"]);
    } finally {
      client.close();
    }
  });
});
