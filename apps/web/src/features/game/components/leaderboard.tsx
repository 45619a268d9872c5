"use client";

import type { LeaderboardEntry } from "@repo/protocol";

/** Most wins first (the service's order). Names are text (escaped). */
export function Leaderboard({ entries, error }: { entries: readonly LeaderboardEntry[] | null; error: string | null }) {
  return (
    <section aria-labelledby="leaderboard-heading" className="space-y-2 rounded-lg border border-neutral-200 p-4 text-sm dark:border-neutral-800">
      <h2 id="leaderboard-heading" className="font-semibold">
        Leaderboard
      </h2>
      {error && (
        <p role="alert" className="text-red-700 dark:text-red-400">
          Couldn&apos;t load the leaderboard: {error}
        </p>
      )}
      {entries === null ? (
        !error && <p className="text-neutral-500">Loading…</p>
      ) : entries.length === 0 ? (
        <p className="text-neutral-500">No finished games yet.</p>
      ) : (
        <table className="w-full text-left tabular-nums">
          <caption className="sr-only">Wins per player</caption>
          <thead className="text-neutral-600 dark:text-neutral-400">
            <tr>
              <th scope="col" className="font-medium">#</th>
              <th scope="col" className="font-medium">Player</th>
              <th scope="col" className="text-right font-medium">Wins</th>
              <th scope="col" className="text-right font-medium">Games</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry, index) => (
              <tr key={entry.user.id}>
                <td>{index + 1}</td>
                <th scope="row" className="max-w-40 truncate font-normal">
                  {entry.user.name}
                </th>
                <td className="text-right font-medium">{entry.wins}</td>
                <td className="text-right">{entry.games}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
