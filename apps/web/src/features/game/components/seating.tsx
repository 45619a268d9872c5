"use client";

import { GAME_LIMITS } from "@repo/game";
import { gameJoinPath, type GameSummary, type User } from "@repo/protocol";
import { useState } from "react";
import type { ActionResult } from "../state/game-view-snapshot";
import type { GameView } from "../state/game-view";
import { InvitePicker } from "./invite-picker";
import { seatColor } from "./seat-colors";
import { seatLabel } from "./seat-names";

const PRIMARY =
  "rounded-md bg-neutral-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-neutral-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-50 dark:bg-neutral-100 dark:text-neutral-900 dark:hover:bg-neutral-300";
const SECONDARY =
  "rounded-md border border-neutral-300 px-3 py-1.5 text-sm font-medium hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-50 dark:border-neutral-700 dark:hover:bg-neutral-900";

/**
 * A waiting game: its seats (who, ready, connected) and what I may do: join or leave, ready up,
 * invite (a link, or a notification to someone who has played), and as the host add a bot and start. Every change shows when its `game.seats` event arrives,
 * the same moment on every tab; the button says so meanwhile.
 */
export function Seating({ game, me, view, onLeft }: { game: GameSummary; me: User; view: GameView; onLeft: () => void }) {
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const mine = game.seats.find((seat) => seat.user?.id === me.id) ?? null;
  const isHost = game.host.id === me.id;
  const full = game.seats.length >= game.settings.maxSeats;
  const othersReady = game.seats.every((seat) => seat.kind === "bot" || seat.user?.id === game.host.id || seat.ready);
  const canStart = game.seats.length >= GAME_LIMITS.minSeats && othersReady;

  async function run(name: string, action: () => Promise<ActionResult>, after?: () => void) {
    setPending(name);
    setError(null);
    const result = await action();
    setPending(null);
    if (result.ok) after?.();
    else setError(result.message);
  }

  async function copyLink() {
    const link = `${window.location.origin}${gameJoinPath(game.id)}`;
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      setError(`Copy this link: ${link}`);
    }
  }

  return (
    <section aria-labelledby="seating-heading" className="space-y-4 rounded-lg border border-neutral-200 p-4 dark:border-neutral-800">
      <div className="flex flex-wrap items-baseline gap-x-3">
        <h2 id="seating-heading" className="font-semibold">
          Seats
        </h2>
        <p className="text-sm text-neutral-600 dark:text-neutral-400">
          {game.seats.length} of {game.settings.maxSeats} taken · {game.settings.tickHz} ticks/s · first to {game.settings.roundsToWin}
        </p>
      </div>
      <ul aria-label="Seats" className="divide-y divide-neutral-100 text-sm dark:divide-neutral-800">
        {game.seats.map((seat) => (
          <li key={seat.seat} data-testid="seat" className="flex items-center gap-2 py-1.5">
            <span aria-hidden="true" className="inline-block size-3 rounded-sm" style={{ backgroundColor: seatColor(seat.seat) }} />
            <span className="min-w-0 flex-1 truncate font-medium">
              {seatLabel(seat)}
              {seat.user?.id === me.id && <span className="font-normal text-neutral-500"> (you)</span>}
              {seat.user?.id === game.host.id && <span className="font-normal text-neutral-500"> · host</span>}
            </span>
            {seat.kind === "bot" ? (
              <span className="text-xs text-neutral-500">bot</span>
            ) : (
              <>
                {!seat.connected && <span className="text-xs text-amber-700 dark:text-amber-400">away</span>}
                <span className={`text-xs ${seat.ready ? "text-emerald-700 dark:text-emerald-400" : "text-neutral-500"}`}>
                  {seat.ready ? "ready" : "not ready"}
                </span>
              </>
            )}
          </li>
        ))}
      </ul>
      <div className="flex flex-wrap gap-2">
        {!mine && (
          <button type="button" disabled={full || pending !== null} onClick={() => void run("join", view.join)} className={PRIMARY}>
            {pending === "join" ? "Joining…" : full ? "Full" : "Join"}
          </button>
        )}
        {mine && !isHost && (
          <button
            type="button"
            aria-pressed={mine.ready}
            disabled={pending !== null}
            onClick={() => void run("ready", () => view.setReady(!mine.ready))}
            className={mine.ready ? SECONDARY : PRIMARY}
          >
            {pending === "ready" ? "…" : mine.ready ? "Not ready" : "Ready"}
          </button>
        )}
        {isHost && (
          <>
            <button type="button" disabled={full || pending !== null} onClick={() => void run("bot", view.addBot)} className={SECONDARY}>
              {pending === "bot" ? "Adding…" : "Add a bot"}
            </button>
            <button type="button" disabled={!canStart || pending !== null} onClick={() => void run("start", view.startMatch)} className={PRIMARY}>
              {pending === "start" ? "Starting…" : "Start"}
            </button>
          </>
        )}
        {mine && (
          <button type="button" disabled={pending !== null} onClick={() => void run("leave", view.leave, onLeft)} className={SECONDARY}>
            {pending === "leave" ? "Leaving…" : "Leave"}
          </button>
        )}
        <button type="button" onClick={() => void copyLink()} className={SECONDARY}>
          {copied ? "Link copied" : "Copy invite link"}
        </button>
      </div>
      {mine && <InvitePicker game={game} me={me} />}
      {mine && (
        <p className="text-sm text-neutral-600 dark:text-neutral-400">
          Keep this page open: a player who stops following the game loses their seat after a short grace period.
        </p>
      )}
      {isHost && !canStart && (
        <p className="text-sm text-neutral-600 dark:text-neutral-400">
          {game.seats.length < GAME_LIMITS.minSeats ? "Invite someone or add a bot to start." : "Waiting for every player to be ready."}
        </p>
      )}
      {error && (
        <p role="alert" className="text-sm break-words text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </section>
  );
}
