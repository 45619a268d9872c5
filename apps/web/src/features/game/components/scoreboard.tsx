"use client";

import type { Seat } from "@repo/game";
import type { MatchSummary } from "../state/game-view-snapshot";
import { seatColor } from "./seat-colors";
import type { SeatNames } from "./seat-names";

/** Round, target and every seat's score, with who is still moving. Names are text (escaped). */
export function Scoreboard({ match, names, mySeat }: { match: MatchSummary; names: SeatNames; mySeat: Seat | null }) {
  return (
    <section aria-labelledby="scoreboard-heading" className="space-y-2 rounded-lg border border-neutral-200 p-4 text-sm dark:border-neutral-800">
      <h2 id="scoreboard-heading" className="font-semibold">
        Scoreboard
      </h2>
      <p className="text-neutral-600 dark:text-neutral-400">
        Round {match.round} · first to {match.roundsToWin} {match.roundsToWin === 1 ? "round" : "rounds"}
      </p>
      <ol aria-label="Scores" className="space-y-1">
        {match.seats.map((seat, index) => {
          const status = match.left[index] ? "left" : match.alive[index] ? "moving" : "out";
          return (
            <li key={seat} data-testid="score-row" className="flex items-center gap-2 tabular-nums">
              <span aria-hidden="true" className="inline-block size-3 rounded-sm" style={{ backgroundColor: seatColor(seat) }} />
              <span className="min-w-0 flex-1 truncate font-medium">
                {names.get(seat) ?? `Seat ${seat + 1}`}
                {seat === mySeat && <span className="font-normal text-neutral-500"> (you)</span>}
              </span>
              <span className="text-xs text-neutral-500">
                <span className="sr-only">, </span>
                {status}
              </span>
              <span className="w-6 text-right font-semibold">
                <span className="sr-only">, score </span>
                <span data-testid="score">{match.scores[index] ?? 0}</span>
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
