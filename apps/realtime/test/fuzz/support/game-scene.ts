import { createClient, type RealtimeClient } from "@repo/client";
import { GameLobbyResponse, gamePaths, gameTopic, type GameSummary } from "@repo/protocol";
import { fc } from "@fast-check/vitest";
import { GAME_FIELD_VALUES, gameIdLike } from "./command-arbitraries";
import type { FuzzTarget } from "./fuzz-server";
import { nastyString } from "./json-arbitraries";

/*
 * Live games for the game commands to hit: the fuzzer plays in one (two bots
 * with it, so leaving abandons it and nothing is stored), hosts a waiting one
 * (two bots seated), and may join a third, hosted by the well-behaved client.
 * No game here can finish by itself while the fuzzing runs (9 round wins at
 * 5 Hz), so no result is written behind a case's back. Fuzzed ids stand in the
 * text as markers; each case replaces them by the live ids.
 */
export const SCENE_MARKERS = {
  playing: "@@game:playing@@",
  waiting: "@@game:waiting@@",
  other: "@@game:other@@",
  self: "@@user:self@@",
  client: "@@user:client@@",
} as const;

/** The game fields with the live games and users among the values. */
export const LIVE_GAME_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  ...GAME_FIELD_VALUES,
  gameId: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(SCENE_MARKERS.playing, SCENE_MARKERS.waiting, SCENE_MARKERS.other) },
    { weight: 2, arbitrary: gameIdLike },
  ),
  userId: fc.oneof(fc.constantFrom(SCENE_MARKERS.self, SCENE_MARKERS.client), fc.uuid(), nastyString),
};

const liveGameId = fc.constantFrom(SCENE_MARKERS.playing, SCENE_MARKERS.waiting, SCENE_MARKERS.other);

/** Well-formed game commands on the live games: what reaches the rules (seats, host, phase, queue), not the schema. */
export const validLiveGameCommand: fc.Arbitrary<string> = fc
  .oneof(
    fc.record({ type: fc.constant("game.create"), payload: fc.record({ maxSeats: fc.integer({ min: 2, max: 8 }), tickHz: fc.integer({ min: 5, max: 30 }) }, { requiredKeys: [] }) }),
    ...(["game.join", "game.leave", "game.addBot", "game.start", "game.rematch"] as const).map((type) =>
      fc.record({ type: fc.constant(type), payload: fc.record({ gameId: liveGameId }) }),
    ),
    fc.record({ type: fc.constant("game.ready"), payload: fc.record({ gameId: liveGameId, ready: fc.boolean() }) }),
    fc.record({
      type: fc.constant("game.input"),
      payload: fc.record(
        { gameId: liveGameId, seq: fc.integer({ min: 1, max: 60 }), dir: fc.constantFrom("up", "down", "left", "right"), forTick: fc.integer({ min: 1, max: 2000 }) },
        { requiredKeys: ["gameId", "seq", "dir"] },
      ),
    }),
    fc.record({
      type: fc.constant("game.invite"),
      payload: fc.record({ gameId: liveGameId, userId: fc.oneof(fc.constantFrom(SCENE_MARKERS.self, SCENE_MARKERS.client), fc.uuid()) }),
    }),
  )
  .map((command) => JSON.stringify({ id: "@@fresh-id@@", ...command }));

type Role = "playing" | "waiting" | "other";

export class GameScene {
  private readonly ids: Record<Role, string> = { playing: "", waiting: "", other: "" };
  private readonly fuzzer: RealtimeClient;
  private readonly host: RealtimeClient;
  private readonly unfollow: Array<() => void> = [];

  constructor(private readonly t: FuzzTarget) {
    const client = (token: string) => createClient({ url: t.baseUrl, transport: "websocket", auth: { token }, reconnect: { baseMs: 20, maxMs: 200 } });
    this.fuzzer = client(t.fuzzer.token);
    this.host = client(t.client.token);
  }

  /** Makes sure each game of the scene exists (a fuzzed leave closes one); call before a case's digest. */
  async ensure(): Promise<void> {
    for (const role of ["playing", "waiting", "other"] as const) {
      if (this.ids[role] !== "" && (await this.exists(this.ids[role]))) continue;
      this.ids[role] = (await this.make(role)).id;
    }
  }

  /** The live id of one of the scene's games. */
  id(role: Role): string {
    return this.ids[role];
  }

  /** The text with every marker replaced by the live id it stands for. */
  fill(text: string): string {
    const values: Record<string, string> = {
      [SCENE_MARKERS.playing]: this.ids.playing,
      [SCENE_MARKERS.waiting]: this.ids.waiting,
      [SCENE_MARKERS.other]: this.ids.other,
      [SCENE_MARKERS.self]: this.t.fuzzer.user.id,
      [SCENE_MARKERS.client]: this.t.client.user.id,
    };
    let out = text;
    for (const [marker, value] of Object.entries(values)) out = out.split(JSON.stringify(marker)).join(JSON.stringify(value));
    return out;
  }

  close() {
    for (const stop of this.unfollow) stop();
    this.fuzzer.close();
    this.host.close();
  }

  private async exists(gameId: string): Promise<boolean> {
    const response = await fetch(`${this.t.baseUrl}${gamePaths.game(gameId)}`, { headers: { authorization: `Bearer ${this.t.client.token}` } });
    await response.body?.cancel();
    return response.status === 200;
  }

  private async make(role: Role): Promise<GameSummary> {
    const creator = role === "other" ? this.host : this.fuzzer;
    if (creator === this.fuzzer) await this.makeRoom();
    const { game } = await creator.send({ type: "game.create", payload: { maxSeats: role === "playing" ? 3 : 4, tickHz: 5, roundsToWin: 9 } });
    // Reading the topic keeps the seat (presence); the subscription lives as long as the scene.
    this.unfollow.push(creator.subscribe(gameTopic(game.id), () => {}, { onError: () => {} }));
    if (role !== "other") {
      await creator.send({ type: "game.addBot", payload: { gameId: game.id } });
      await creator.send({ type: "game.addBot", payload: { gameId: game.id } });
    }
    if (role === "playing") await creator.send({ type: "game.start", payload: { gameId: game.id } });
    return game;
  }

  /** The fuzzer may sit in few games: leave whatever fuzzed creates and joins it sits in besides the scene's. */
  private async makeRoom() {
    const { games } = await this.fuzzer.get(gamePaths.lobby, GameLobbyResponse);
    const mine = new Set(Object.values(this.ids));
    for (const game of games) {
      const seated = game.seats.some((s) => s.user?.id === this.t.fuzzer.user.id && !s.left);
      if (seated && !mine.has(game.id)) await this.fuzzer.send({ type: "game.leave", payload: { gameId: game.id } });
    }
  }
}
