import { fc } from "@fast-check/vitest";
import { GameLobbyResponse, GameResponse, LeaderboardResponse, gamePaths } from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { defaultFeatures } from "../../src/features";
import { gameFeature } from "../../src/features/game/game-feature";
import { COMMAND_TYPES, commandText, freshIds, gameIdLike } from "./support/command-arbitraries";
import { ackId, eventFrame } from "./support/frame-arbitraries";
import { FUZZ_RUNS, describeValue, fuzzEdge, printSummaryAfterAll } from "./support/fuzz-config";
import { useFuzzServer } from "./support/fuzz-server";
import { GameScene, LIVE_GAME_VALUES, SCENE_MARKERS, validLiveGameCommand } from "./support/game-scene";
import { expectTypedRejection, request } from "./support/http-answers";
import { nastyString } from "./support/json-arbitraries";
import { encodedValue } from "./support/query-arbitraries";
import { expectCommandAnswer, httpCommandVerdict } from "./support/http-commands-oracle";
import { runFrameCase } from "./support/socket-case";

/*
 * The game's commands against live games (one the fuzzer plays, one it hosts,
 * one it may join), over HTTP and as raw socket.io frames: fuzzed game ids,
 * seqs, directions, ticks and settings. Every answer is typed, a refused
 * command changes nothing in the database, the process stays up. (Every game
 * command is also fuzzed with unknown games in http-commands and socket-commands.)
 */
// Every command reaches its handler (the request rate and game creation's own are opened up: the
// scene recreates what fuzzed leaves close); rate limits are not the edge under test here.
const target = useFuzzServer({
  config: { commandRequestLimits: { points: 1_000_000, windowSeconds: 1 } },
  features: [...defaultFeatures().filter((feature) => feature.name !== "game"), gameFeature({ createLimit: { points: 1_000_000, windowSeconds: 1 } })],
});
printSummaryAfterAll("game-commands");

let scene: GameScene;
beforeAll(() => {
  scene = new GameScene(target());
});
afterAll(() => {
  scene?.close();
});

const GAME_TYPES = COMMAND_TYPES.filter((type) => type.startsWith("game."));
const gameCommand = fc.oneof(
  { weight: 1, arbitrary: fc.oneof(...GAME_TYPES.map((type) => commandText(type, LIVE_GAME_VALUES))) },
  { weight: 1, arbitrary: validLiveGameCommand },
);
const runs = 3 * FUZZ_RUNS;

describe("game commands against live games", () => {
  fuzzEdge(
    "POST /v1/commands game.* (live games, fuzzed members)",
    [gameCommand],
    async (text) => {
      const t = target();
      await scene.ensure();
      const body = scene.fill(freshIds(text));
      const what = `POST /v1/commands ${describeValue(body, 200)}`;
      const verdict = httpCommandVerdict(body, "application/json");
      const before = await t.digest();
      const answer = await t.errors.guard(
        what,
        request(`${t.baseUrl}/v1/commands`, { method: "POST", headers: { ...t.authHeaders(), "content-type": "application/json" }, body }),
      );
      const accepted = expectCommandAnswer(answer, verdict, what);
      if (!accepted) await t.expectDatabaseUnchanged(before, what);
      await t.caseDone(what);
      return accepted;
    },
    { runs },
  );

  fuzzEdge(
    "socket command game.* (live games, fuzzed members)",
    [gameCommand, ackId],
    async (text, id) => {
      const t = target();
      await scene.ensure();
      const c = eventFrame('"command"', [scene.fill(freshIds(text))], id);
      return runFrameCase(t, c.frames, c.expectation, describeValue(c.label, 200));
    },
    { runs },
  );

  // The reads: a game, its replay and the leaderboard, with fuzzed ids (live ones among them) and limits.
  const readPath = fc.oneof(
    fc.tuple(fc.constantFrom("", "/replay"), encodedValue(fc.oneof(fc.constantFrom(SCENE_MARKERS.playing, SCENE_MARKERS.waiting), gameIdLike.map(String)))).map(
      ([tail, id]) => `${gamePaths.lobby}/${id}${tail}`,
    ),
    encodedValue(fc.oneof(fc.constantFrom("0", "1", "20", "100", "101", "-1", "1.5", "1e2", "NaN", "", " 5"), nastyString)).map(
      (limit) => `${gamePaths.leaderboard}?limit=${limit}`,
    ),
    fc.constant(gamePaths.lobby),
  );
  fuzzEdge("GET /v1/games/… (fuzzed ids and limits)", [readPath], async (path) => {
    const t = target();
    await scene.ensure();
    const filled = path.split(encodeURIComponent(SCENE_MARKERS.playing)).join(scene.id("playing")).split(encodeURIComponent(SCENE_MARKERS.waiting)).join(scene.id("waiting"));
    const what = `GET ${describeValue(filled, 200)}`;
    const before = await t.digest();
    const answer = await t.errors.guard(what, request(`${t.baseUrl}${filled}`, { headers: t.authHeaders() }));
    if (answer.status === 200) {
      const schema = filled.startsWith(gamePaths.leaderboard) ? LeaderboardResponse : filled === gamePaths.lobby ? GameLobbyResponse : GameResponse;
      expect(schema.safeParse(answer.json).success, `${what}: 200 body ${answer.text.slice(0, 200)}`).toBe(true);
    } else {
      expectTypedRejection(answer, what);
    }
    // A read never writes.
    await t.expectDatabaseUnchanged(before, what);
    await t.caseDone(what);
    return answer.status === 200;
  });

  test("the service is still serving after the game fuzzing", async () => {
    await target().expectServing("after the game command fuzzing");
  });
});
