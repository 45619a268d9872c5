import { createMatch } from "@repo/game";
import { describe, expect, test } from "vitest";
import {
  Command,
  GAME_LOBBY_TOPIC,
  GameEvent,
  GameId,
  Notification,
  Topic,
  decodeCursor,
  encodeCursor,
  gameJoinPath,
  gameRoutes,
  gameTopic,
} from "../src/index";

describe("the game module of the protocol", () => {
  test("game ids are 12 URL-safe characters, so the lobby and the leaderboard can never be one", () => {
    expect(GameId.safeParse("Ab3_-xY9Qk0z").success).toBe(true);
    for (const id of ["lobby", "leaderboard", "Ab3_-xY9Qk0", "Ab3_-xY9Qk0zz", "Ab3_-xY9Qk0/"]) expect(GameId.safeParse(id).success).toBe(false);
    expect(Topic.safeParse(GAME_LOBBY_TOPIC).success).toBe(true);
    expect(Topic.safeParse(gameTopic("Ab3_-xY9Qk0z")).success).toBe(true);
    expect(decodeCursor(encodeCursor({ [gameTopic("Ab3_-xY9Qk0z")]: { epoch: "e1", offset: 7 } }))).toEqual({ "game:Ab3_-xY9Qk0z": { epoch: "e1", offset: 7 } });
    expect(gameRoutes.game).toBe("/v1/games/:gameId");
    expect(gameJoinPath("Ab3_-xY9Qk0z")).toBe("/game?join=Ab3_-xY9Qk0z");
  });

  test("game.input names no seat; its numbers are bounded", () => {
    const input = (payload: object) => Command.safeParse({ id: "abcdefgh", type: "game.input", payload: { gameId: "Ab3_-xY9Qk0z", seq: 1, dir: "up", ...payload } });
    expect(input({}).success).toBe(true);
    expect(input({ forTick: 5 }).success).toBe(true);
    for (const bad of [{ seq: 0 }, { seq: 1.5 }, { seq: 2 ** 31 }, { dir: "north" }, { forTick: 0 }, { forTick: 36_001 }]) expect(input(bad).success).toBe(false);
    const create = (payload: object) => Command.safeParse({ id: "abcdefgh", type: "game.create", payload });
    expect(create({}).success).toBe(true);
    for (const bad of [{ maxSeats: 1 }, { maxSeats: 9 }, { tickHz: 4 }, { tickHz: 31 }, { roundsToWin: 0 }, { roundsToWin: 10 }]) expect(create(bad).success).toBe(false);
  });

  test("a snapshot carries the simulation's own MatchState; an invite is a notification kind", () => {
    const state = createMatch({ seed: 1, width: 64, height: 48, roundsToWin: 3, tickHz: 15, seats: [{ seat: 0, kind: "human" }, { seat: 3, kind: "bot" }] });
    expect(GameEvent.safeParse({ type: "game.snapshot", payload: { state, acks: { "0": 0 } } }).success).toBe(true);
    expect(GameEvent.safeParse({ type: "game.snapshot", payload: { state, acks: { "8": 0 } } }).success).toBe(false);
    expect(GameEvent.safeParse({ type: "game.tick", payload: { delta: { tick: 1, inputs: [] }, acks: {}, late: [] } }).success).toBe(true);
    const invite = {
      kind: "invite",
      id: crypto.randomUUID(),
      createdAt: new Date().toISOString(),
      read: false,
      gameId: "Ab3_-xY9Qk0z",
      from: { id: "u1", name: "Ada" },
      path: gameJoinPath("Ab3_-xY9Qk0z"),
    };
    expect(Notification.safeParse(invite).success).toBe(true);
  });
});
