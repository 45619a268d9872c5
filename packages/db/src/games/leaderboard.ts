// The leaderboard: wins per user over the stored games.
import type { DbClient } from "../db-client";

export interface LeaderboardRow {
  user: { id: string; name: string };
  wins: number;
  games: number;
}

/** The `limit` users with most wins; ties go to fewer games played, then to the older user id. */
export async function leaderboard(db: DbClient, limit: number): Promise<LeaderboardRow[]> {
  const rows = await db.$queryRaw<Array<{ id: string; name: string; wins: bigint; games: bigint }>>`
    SELECT u.id, u.name, count(*) FILTER (WHERE p.won) AS wins, count(*) AS games
    FROM game_players p JOIN users u ON u.id = p.user_id
    GROUP BY u.id, u.name
    HAVING count(*) FILTER (WHERE p.won) > 0
    ORDER BY wins DESC, games ASC, u.id ASC
    LIMIT ${limit}`;
  return rows.map((row) => ({ user: { id: row.id, name: row.name }, wins: Number(row.wins), games: Number(row.games) }));
}
