"use client";

import type { Seat } from "@repo/game";
import type { GameId, GameOverPayload, GameSummary, User } from "@repo/protocol";
import Link from "next/link";
import { useState } from "react";
import type { SyncCheck } from "../state/game-view-snapshot";
import type { RematchResult } from "../state/game-view";
import { seatColor } from "./seat-colors";
import type { SeatNames } from "./seat-names";

/**
 * The end of a game: who won, the final scores, whether this tab's state ended exactly where the
 * server's did (the hash of the last tick), the rematch, and the replay.
 */
export function GameOver({
  game,
  over,
  sync,
  names,
  me,
  replayHref,
  onRematch,
  onOpenGame,
}: {
  game: GameSummary;
  over: GameOverPayload;
  sync: SyncCheck;
  names: SeatNames;
  me: User;
  replayHref: string;
  onRematch: () => Promise<RematchResult>;
  onOpenGame: (id: GameId) => void;
}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const played = game.seats.some((seat) => seat.kind === "human" && seat.user?.id === me.id);
  const name = (seat: Seat) => names.get(seat) ?? `Seat ${seat + 1}`;
  const headline = over.abandoned ? "Game abandoned: no player was left" : over.winner === null ? "A draw" : `${name(over.winner)} wins`;

  async function rematch() {
    setPending(true);
    setError(null);
    const result = await onRematch();
    setPending(false);
    if (result.ok) onOpenGame(result.gameId);
    else setError(result.message);
  }

  return (
    <section aria-labelledby="game-over-heading" className="space-y-3 rounded-lg border border-neutral-200 p-4 text-sm dark:border-neutral-800">
      <h2 id="game-over-heading" className="text-lg font-semibold">
        Game over
      </h2>
      <p data-testid="game-result" className="text-base font-medium">
        {headline}
      </p>
      <ol aria-label="Final scores" className="space-y-1 tabular-nums">
        {game.seats.map((seat, index) => (
          <li key={seat.seat} data-testid="final-score" className="flex items-center gap-2">
            <span aria-hidden="true" className="inline-block size-3 rounded-sm" style={{ backgroundColor: seatColor(seat.seat) }} />
            <span className="min-w-0 flex-1 truncate">{name(seat.seat)}</span>
            <span className="font-semibold">{over.scores[index] ?? 0}</span>
          </li>
        ))}
      </ol>
      {sync && (
        <p role="status" data-testid="sync-check" className={sync.inSync ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400"}>
          {sync.inSync
            ? `In sync: this tab ended at tick ${sync.tick} in the server's exact state (hash ${sync.hash}).`
            : `Out of sync: this tab's state at tick ${sync.tick} hashes ${sync.hash}, the server's ${sync.serverHash}.`}
        </p>
      )}
      <div className="flex flex-wrap gap-2">
        {played && !over.abandoned && (
          <button
            type="button"
            onClick={() => void rematch()}
            disabled={pending}
            className="rounded-md bg-neutral-900 px-3 py-1.5 font-medium text-white hover:bg-neutral-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-50 dark:bg-neutral-100 dark:text-neutral-900 dark:hover:bg-neutral-300"
          >
            {pending ? "…" : game.rematchId ? "Join the rematch" : "Rematch"}
          </button>
        )}
        {!over.abandoned && (
          <Link
            href={replayHref}
            className="rounded-md border border-neutral-300 px-3 py-1.5 font-medium hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 dark:border-neutral-700 dark:hover:bg-neutral-900"
          >
            Watch the replay
          </Link>
        )}
      </div>
      {error && (
        <p role="alert" className="text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </section>
  );
}
