import { randomUUID } from "node:crypto";
import { fc } from "@fast-check/vitest";
import { CommandResult, ERROR_CODES, HTTP_PATHS, type GameSummary } from "@repo/protocol";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { gameFeature } from "../../src/features/game/game-feature";
import { signIn, sleep, type TestServer } from "../sdk/support/server";
import { REDIS_URL, command, redisInstances, type RedisInstances } from "../scale/support/redis-instances";
import { COMMAND_TYPES, validCommand } from "./support/command-arbitraries";
import { fuzzEdge, printSummaryAfterAll } from "./support/fuzz-config";
import { nastyString } from "./support/json-arbitraries";

/*
 * The game's forwarding edge on several instances: commands for a live game held by A,
 * sent to B (which forwards them to A over Redis), and raw messages of any shape published
 * on A's request channel. Every answer is typed (never `internal`), A keeps its game and
 * stays up, and a malformed message gets no answer or a typed refusal.
 */
printSummaryAfterAll("redis-game-forwarding");
let cluster: RedisInstances;
let a: TestServer;
let b: TestServer;
let gameId: string;
let token: string;
const admin = new Redis(REDIS_URL);
const listener = new Redis(REDIS_URL);
const replies: string[] = [];
const replyTo = `fuzz-${randomUUID().slice(0, 8)}`;
let ownerChannel: string;

beforeAll(async () => {
  cluster = await redisInstances();
  const features = () => [gameFeature({ createLimit: { points: 1_000_000, windowSeconds: 1 }, inviteLimit: { points: 1_000_000, windowSeconds: 1 } })];
  a = await cluster.start("fwd-a", {}, { features: features() });
  b = await cluster.start("fwd-b", {}, { features: features() });
  const ada = await signIn(a.baseUrl, "Ada");
  gameId = ((await command(a, ada.token, "game.create", { maxSeats: 8 })) as { game: GameSummary }).game.id;
  token = (await signIn(b.baseUrl, "Bob")).token;
  const channels = (await admin.pubsub("CHANNELS", `${cluster.keyPrefix}game-rpc:*`)) as string[];
  const owner = await admin.get(`${cluster.keyPrefix}{game:${gameId}}:lease`);
  ownerChannel = channels.find((channel) => channel.endsWith(`:${owner}`))!;
  expect(ownerChannel).toBeDefined();
  await listener.subscribe(`${cluster.keyPrefix}game-rpc:${replyTo}`);
  listener.on("message", (_channel: string, message: string) => replies.push(message));
});
afterAll(async () => {
  listener.disconnect();
  admin.disconnect();
  await cluster?.stop();
});

const GAME_TYPES = COMMAND_TYPES.filter((type) => type.startsWith("game.") && type !== "game.create");
const liveGameCommand = fc.oneof(...GAME_TYPES.map((type) => validCommand(type)));

describe("game commands forwarded to the game's owner", () => {
  fuzzEdge("POST /v1/commands on B for a game A holds", [liveGameCommand], async (generated) => {
    const body = { ...generated, id: randomUUID(), payload: { ...generated.payload, gameId } };
    const response = await fetch(`${b.baseUrl}${HTTP_PATHS.commands}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const result = CommandResult.parse(await response.json());
    if (!result.ok) expect(result.error.code, `${body.type}: ${result.error.message}`).not.toBe("internal");
    return result.ok;
  });

  const request = fc.record({
    kind: fc.constantFrom("request", "reply", "other"),
    id: fc.oneof(fc.uuid(), nastyString),
    replyTo: fc.constant(replyTo),
    user: fc.oneof(fc.record({ id: fc.uuid(), name: fc.string({ maxLength: 20 }) }), fc.anything()),
    command: fc.oneof(fc.anything(), liveGameCommand.map((c) => ({ ...c, id: randomUUID(), payload: { ...c.payload, gameId } }))),
  });
  fuzzEdge("a raw message on A's request channel", [fc.oneof(request, fc.json(), nastyString)], async (message) => {
    await admin.publish(ownerChannel, typeof message === "string" ? message : JSON.stringify(message));
    return true;
  });

  fuzzEdge("afterwards: A still holds the game and every reply was typed", [fc.constant(null)], async () => {
    await sleep(300);
    // Well-formed requests among the raw messages were answered.
    expect(replies.length).toBeGreaterThan(0);
    for (const reply of replies) {
      const parsed = JSON.parse(reply) as { kind: string; error?: { code: string } };
      expect(parsed.kind).toBe("reply");
      if (parsed.error) {
        expect(ERROR_CODES).toContain(parsed.error.code);
        expect(parsed.error.code).not.toBe("internal");
      }
    }
    expect((await fetch(`${a.baseUrl}${HTTP_PATHS.ready}`)).status).toBe(200);
    const carol = await signIn(b.baseUrl, "Carol");
    await command(b, carol.token, "game.join", { gameId });
    return true;
  }, { runs: 1 });
});
