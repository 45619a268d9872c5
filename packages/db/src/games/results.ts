// Finished games: one write when a game ends (config, input log, result, seats), and reading one back.
import type { Prisma, PrismaClient } from "../generated/prisma/client";
import type { DbClient } from "../db-client";
import type { GamePlayerRow, GameRow } from "../rows";

export interface NewGameResult {
  id: string;
  /** The match's config (seed included), as the simulation took it. */
  config: Prisma.InputJsonValue;
  /** Every applied input in tick order. */
  inputLog: Prisma.InputJsonValue;
  /** Round wins in the order of config.seats. */
  scores: number[];
  winnerSeat: number | null;
  ticks: number;
  stateHash: string;
  startedAt: Date;
  players: Array<{ seat: number; kind: string; userId: string | null; score: number; won: boolean }>;
}

export type StoredGame = GameRow & { players: Array<GamePlayerRow & { user: { id: string; name: string } | null }> };

/**
 * Stores a finished game and its seats, in one transaction. Storing one id
 * again changes nothing (an instance retrying after a lost answer); returns
 * whether this call stored it.
 */
export async function saveGameResult(db: PrismaClient, game: NewGameResult): Promise<boolean> {
  const { players, ...row } = game;
  return db.$transaction(async (tx) => {
    // ON CONFLICT DO NOTHING rather than catching the unique violation, which would abort the transaction.
    const { count } = await tx.game.createMany({ data: [row], skipDuplicates: true });
    if (count === 0) return false;
    await tx.gamePlayer.createMany({ data: players.map((player) => ({ ...player, gameId: game.id })) });
    return true;
  });
}

/** A stored game with its seats (each with its user's id and name), or null. */
export function findGameResult(db: DbClient, id: string): Promise<StoredGame | null> {
  return db.game.findUnique({
    where: { id },
    include: { players: { orderBy: { seat: "asc" }, include: { user: { select: { id: true, name: true } } } } },
  });
}
