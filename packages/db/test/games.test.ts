import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGuestUser, createInvite, findGameResult, leaderboard, saveGameResult, type Database, type NewGameResult } from "../src/index";
import { type Engine, engineCases } from "./engines";

const cases = await engineCases();

function finished(id: string, players: NewGameResult["players"]): NewGameResult {
  return {
    id,
    config: { seed: 7, seats: players.map(({ seat, kind }) => ({ seat, kind })) },
    inputLog: [{ tick: 3, seat: 0, action: { type: "turn", dir: "up" } }],
    scores: players.map((p) => p.score),
    winnerSeat: players.find((p) => p.won)?.seat ?? null,
    ticks: 120,
    stateHash: `hash-${id}`,
    startedAt: new Date("2026-12-10T10:00:00.000Z"),
    players,
  };
}

describe.each(cases)("games data on $name", ({ make, skip }) => {
  if (skip) {
    it.skip(`skipped: ${skip}`, () => {});
    return;
  }
  let engine: Engine;
  let db: Database;
  beforeAll(async () => {
    engine = await make();
    db = await engine.open();
  });
  afterAll(async () => {
    await db?.close();
    await engine?.teardown();
  });

  it("a finished game is stored once, with its seats, and read back as stored", async () => {
    const ada = await createGuestUser(db.prisma, "Ada");
    const game = finished("game-000001", [
      { seat: 0, kind: "human", userId: ada.id, score: 3, won: true },
      { seat: 2, kind: "bot", userId: null, score: 1, won: false },
    ]);
    expect(await saveGameResult(db.prisma, game)).toBe(true);
    // A second write of one id (a retry) changes nothing.
    expect(await saveGameResult(db.prisma, { ...game, stateHash: "other" })).toBe(false);
    const stored = await findGameResult(db.prisma, "game-000001");
    expect(stored).toMatchObject({ id: game.id, config: game.config, inputLog: game.inputLog, scores: [3, 1], winnerSeat: 0, ticks: 120, stateHash: "hash-game-000001" });
    expect(stored?.startedAt.toISOString()).toBe("2026-12-10T10:00:00.000Z");
    expect(stored?.players.map((p) => ({ seat: p.seat, kind: p.kind, user: p.user, won: p.won }))).toEqual([
      { seat: 0, kind: "human", user: { id: ada.id, name: "Ada" }, won: true },
      { seat: 2, kind: "bot", user: null, won: false },
    ]);
    expect(await findGameResult(db.prisma, "game-unknown")).toBeNull();
  });

  it("the leaderboard counts wins per user: most wins first, then fewer games", async () => {
    const [a, b, c] = [await createGuestUser(db.prisma, "A"), await createGuestUser(db.prisma, "B"), await createGuestUser(db.prisma, "C")];
    const duel = (id: string, winner: string, loser: string) =>
      saveGameResult(
        db.prisma,
        finished(id, [
          { seat: 0, kind: "human", userId: winner, score: 3, won: true },
          { seat: 1, kind: "human", userId: loser, score: 0, won: false },
        ]),
      );
    await duel("lb-00000001", a.id, b.id);
    await duel("lb-00000002", a.id, c.id);
    await duel("lb-00000003", b.id, c.id);
    await duel("lb-00000004", c.id, b.id);
    const board = await leaderboard(db.prisma, 100);
    const mine = board.filter((row) => [a.id, b.id, c.id].includes(row.user.id));
    // A: 2 wins in 2; B: 1 win in 3; C: 1 win in 3 (B and C tie: the older id first).
    expect(mine.map((row) => [row.user.name, row.wins, row.games])).toEqual([
      ["A", 2, 2],
      ...[
        ["B", 1, 3, b.id],
        ["C", 1, 3, c.id],
      ]
        .sort((x, y) => String(x[3]).localeCompare(String(y[3])))
        .map(([name, wins, games]) => [name, wins, games]),
    ]);
    expect(await leaderboard(db.prisma, 1)).toHaveLength(1);
  });

  it("an invite is stored once per user and game", async () => {
    const host = await createGuestUser(db.prisma, "Host");
    const guest = await createGuestUser(db.prisma, "Guest");
    const first = await createInvite(db.prisma, { userId: guest.id, gameId: "inv-00000001", actorId: host.id });
    expect(first).toMatchObject({ kind: "invite", userId: guest.id, gameId: "inv-00000001", actorId: host.id, readAt: null });
    expect(await createInvite(db.prisma, { userId: guest.id, gameId: "inv-00000001", actorId: host.id })).toBeNull();
    expect(await createInvite(db.prisma, { userId: guest.id, gameId: "inv-00000002", actorId: host.id })).not.toBeNull();
  });
});
