"use client";

import type { GameId, GameSummary, User } from "@repo/protocol";
import Link from "next/link";
import { seatColor } from "./seat-colors";
import { seatLabel } from "./seat-names";

const STATUS_TEXT: Record<GameSummary["status"], string> = { waiting: "waiting", playing: "playing", finished: "finished" };

const LINK =
  "rounded-md border border-neutral-300 px-2.5 py-1 text-sm font-medium hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 dark:border-neutral-700 dark:hover:bg-neutral-900";

/** The lobby's games, live: who is in each, and a way in (join a free seat, open mine, or watch). */
export function GameList({
  games,
  me,
  gameHref,
  joinHref,
}: {
  games: readonly GameSummary[];
  me: User;
  gameHref: (id: GameId) => string;
  joinHref: (id: GameId) => string;
}) {
  if (games.length === 0) return <p className="text-sm text-neutral-500">No games right now. Create one, then add a bot or invite someone.</p>;
  return (
    <ul aria-label="Games" className="divide-y divide-neutral-100 rounded-lg border border-neutral-200 dark:divide-neutral-800 dark:border-neutral-800">
      {games.map((game) => {
        const seated = game.seats.some((seat) => seat.user?.id === me.id && !seat.left);
        const open = game.status === "waiting" && game.seats.length < game.settings.maxSeats;
        return (
          <li key={game.id} data-testid="lobby-game" data-game-id={game.id} className="flex flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 text-sm">
            <div className="min-w-0 flex-1 space-y-1">
              <p className="font-medium">
                {game.host.name}&apos;s game{" "}
                <span className="rounded border border-current px-1 text-xs font-normal opacity-70">{STATUS_TEXT[game.status]}</span>
              </p>
              <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-neutral-600 dark:text-neutral-400">
                <span>
                  {game.seats.length}/{game.settings.maxSeats} seats · {game.settings.tickHz} ticks/s · first to {game.settings.roundsToWin}
                </span>
                {game.seats.map((seat) => (
                  <span key={seat.seat} className="inline-flex items-center gap-1">
                    <span aria-hidden="true" className="inline-block size-2.5 rounded-sm" style={{ backgroundColor: seatColor(seat.seat) }} />
                    {seatLabel(seat)}
                  </span>
                ))}
              </p>
            </div>
            {seated ? (
              <Link href={gameHref(game.id)} className={LINK}>
                Open
              </Link>
            ) : open ? (
              <Link href={joinHref(game.id)} className={LINK}>
                Join
              </Link>
            ) : null}
            {!seated && (
              <Link href={gameHref(game.id)} className={LINK}>
                Watch
              </Link>
            )}
          </li>
        );
      })}
    </ul>
  );
}
