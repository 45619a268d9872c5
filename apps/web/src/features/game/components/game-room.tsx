"use client";

import type { Direction } from "@repo/game";
import type { GameId } from "@repo/protocol";
import Link from "next/link";
import { useEffect, useId, useMemo, useState, useSyncExternalStore } from "react";
import { useFeatureClient } from "@/components/realtime-provider";
import { useUser } from "@/components/session";
import { GameView } from "../state/game-view";
import type { GameViewSnapshot, MatchSummary } from "../state/game-view-snapshot";
import { GameBoard } from "./game-board";
import { GameOver } from "./game-over";
import { PlayReadout } from "./play-readout";
import { Scoreboard } from "./scoreboard";
import { Seating } from "./seating";
import { seatNamesOf, type SeatNames } from "./seat-names";
import { SteeringPad } from "./steering-pad";
import { useSteeringKeys } from "./use-steering-keys";

/** One line for the status region (and the board's name): where the match is. */
function matchLine(match: MatchSummary, names: SeatNames): string {
  const name = (seat: number) => names.get(seat) ?? `Seat ${seat + 1}`;
  const moving = match.alive.filter(Boolean).length;
  switch (match.phase) {
    case "countdown":
      return `Round ${match.round}: get ready`;
    case "playing":
      return `Round ${match.round}: ${moving} of ${match.seats.length} cycles moving`;
    case "roundOver":
      return match.roundWinner === null ? `Round ${match.round} is a draw` : `Round ${match.round} to ${name(match.roundWinner)}`;
    case "gameOver":
      return match.winner === null ? "Game over: a draw" : `Game over: ${name(match.winner)} wins`;
  }
}

/**
 * One game, as a player or a spectator: the seats while it waits; then the board, the
 * scoreboard, the steering (keys, swipes, on-screen buttons) and the live readout of what the
 * transport costs; then the result, the rematch and the replay. `joinOnOpen` (the `?join=` link)
 * takes a seat first.
 */
export function GameRoom({
  gameId,
  joinOnOpen,
  lobbyHref,
  replayHref,
  onOpenGame,
  onLeft,
}: {
  gameId: GameId;
  joinOnOpen: boolean;
  lobbyHref: string;
  replayHref: string;
  onOpenGame: (id: GameId) => void;
  onLeft: () => void;
}) {
  const client = useFeatureClient("game");
  const me = useUser();
  const [view] = useState(() => new GameView(client, gameId, me));
  const snapshot = useSyncExternalStore(view.subscribe, view.getSnapshot, view.getSnapshot);
  const [joinFirst] = useState(joinOnOpen);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    view.start();
    return view.stop;
  }, [view]);

  // The invite link: take a seat (joining again changes nothing); if that fails, watch.
  useEffect(() => {
    if (!joinFirst) return;
    let cancelled = false;
    void view.join().then((result) => {
      if (!cancelled && !result.ok) setNotice(`Couldn't join: ${result.message} You are watching.`);
    });
    return () => {
      cancelled = true;
    };
  }, [joinFirst, view]);

  const { game, match, over, mySeat } = snapshot;
  const names = useMemo(() => seatNamesOf(game?.seats ?? []), [game]);
  const steering = mySeat !== null && game?.status === "playing" && over === null;
  useSteeringKeys(steering, view.steer);

  const [leaving, setLeaving] = useState(false);
  async function leave() {
    setLeaving(true);
    const result = await view.leave();
    setLeaving(false);
    if (result.ok) onLeft();
    else setNotice(`Couldn't leave: ${result.message}`);
  }

  const title = game ? `${game.host.name}'s game` : "Game";
  const line = match ? matchLine(match, names) : game?.status === "waiting" ? "Waiting for players" : "Loading…";

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
      <div className="min-w-0 space-y-4">
        <header className="flex flex-wrap items-center gap-x-4 gap-y-2">
          <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
          <p role="status" aria-label="Match" className="text-sm text-neutral-600 dark:text-neutral-400">
            {line}
            {game && mySeat === null && " · you are watching"}
          </p>
          <div className="ml-auto flex gap-2">
            {steering && (
              <button
                type="button"
                onClick={() => void leave()}
                disabled={leaving}
                className="rounded-md border border-neutral-300 px-3 py-1.5 text-sm font-medium hover:bg-neutral-100 disabled:opacity-50 dark:border-neutral-700 dark:hover:bg-neutral-900"
              >
                {leaving ? "Leaving…" : "Leave game"}
              </button>
            )}
            <Link
              href={lobbyHref}
              className="rounded-md border border-neutral-300 px-3 py-1.5 text-sm font-medium hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 dark:border-neutral-700 dark:hover:bg-neutral-900"
            >
              Lobby
            </Link>
          </div>
        </header>
        {notice && (
          <p role="alert" className="text-sm text-amber-800 dark:text-amber-300">
            {notice}
          </p>
        )}
        <RoomBody snapshot={snapshot} replayHref={replayHref} onRetry={view.retry} />
        {game?.status === "waiting" && <Seating game={game} me={me} view={view} onLeft={onLeft} />}
        {match && (
          <GameBoard
            source={view}
            names={names}
            mySeat={mySeat}
            label={`Game board: ${matchLine(match, names)}`}
            onSteer={steering ? view.steer : undefined}
          />
        )}
        {/* Narrow screens: the buttons right under the board (wide ones have them beside it). */}
        {steering && <Steering onSteer={view.steer} className="lg:hidden" />}
        {game && over && (
          <GameOver
            game={game}
            over={over}
            sync={snapshot.sync}
            names={names}
            me={me}
            replayHref={replayHref}
            onRematch={view.rematch}
            onOpenGame={onOpenGame}
          />
        )}
        {snapshot.closed && <p className="text-sm text-neutral-600 dark:text-neutral-400">This game has closed.</p>}
      </div>
      <aside className="space-y-4">
        {match && <Scoreboard match={match} names={names} mySeat={mySeat} />}
        {steering && <Steering onSteer={view.steer} className="hidden lg:block" />}
        {(match || game?.status === "playing") && <PlayReadout view={view} playing={steering} />}
      </aside>
    </div>
  );
}

/** How to steer, and the on-screen buttons (touch screens). */
function Steering({ onSteer, className }: { onSteer: (dir: Direction) => void; className: string }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className={`space-y-2 rounded-lg border border-neutral-200 p-4 text-sm dark:border-neutral-800 ${className}`}>
      <h2 id={id} className="font-semibold">
        Steer
      </h2>
      <p className="text-neutral-600 dark:text-neutral-400">Arrow keys or WASD, a swipe on the board, or these:</p>
      <SteeringPad onSteer={onSteer} />
    </section>
  );
}

/** Loading and errors (an unknown or closed game points to its replay). */
function RoomBody({ snapshot, replayHref, onRetry }: { snapshot: GameViewSnapshot; replayHref: string; onRetry: () => void }) {
  if (snapshot.phase === "loading" && !snapshot.game) {
    return (
      <p role="status" className="text-neutral-600 dark:text-neutral-400">
        Loading the game…
      </p>
    );
  }
  if (snapshot.phase !== "error") return null;
  return (
    <div role="alert" className="space-y-2 text-sm">
      <p>
        {snapshot.missing ? "This game is not running (it may have finished and closed)." : `Couldn't follow this game: ${snapshot.error}`}
      </p>
      <div className="flex gap-2">
        {snapshot.missing ? (
          <Link href={replayHref} className="rounded-md border border-neutral-300 px-3 py-1.5 font-medium dark:border-neutral-700">
            Try its replay
          </Link>
        ) : (
          <button
            type="button"
            onClick={onRetry}
            className="rounded-md bg-neutral-900 px-3 py-1.5 font-medium text-white dark:bg-neutral-100 dark:text-neutral-900"
          >
            Try again
          </button>
        )}
      </div>
    </div>
  );
}
