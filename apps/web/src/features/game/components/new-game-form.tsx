"use client";

import { failureText } from "@repo/client";
import { GAME_LIMITS } from "@repo/game";
import type { GameId } from "@repo/protocol";
import { useId, useState, type FormEvent } from "react";
import { useFeatureClient } from "@/components/realtime-provider";

const SEATS = Array.from({ length: GAME_LIMITS.maxSeats - GAME_LIMITS.minSeats + 1 }, (_, i) => GAME_LIMITS.minSeats + i);
const TICK_RATES = [5, 10, 15, 20, 30].filter((hz) => hz >= GAME_LIMITS.tickHzMin && hz <= GAME_LIMITS.tickHzMax);
const ROUNDS = [1, 2, 3, 5].filter((n) => n <= GAME_LIMITS.roundsToWinMax);

const SELECT =
  "block w-full rounded-md border border-neutral-300 bg-white px-2 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 dark:border-neutral-700 dark:bg-neutral-900";

/** Opens a game (`game.create`): seats, tick rate and rounds to win; I take seat 1 as its host. */
export function NewGameForm({ onCreated }: { onCreated: (id: GameId) => void }) {
  const client = useFeatureClient("game");
  const id = useId();
  const [maxSeats, setMaxSeats] = useState(4);
  const [tickHz, setTickHz] = useState<number>(GAME_LIMITS.tickHzDefault);
  const [roundsToWin, setRoundsToWin] = useState<number>(GAME_LIMITS.roundsToWinDefault);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    setPending(true);
    setError(null);
    try {
      const { game } = await client.send({ type: "game.create", payload: { maxSeats, tickHz, roundsToWin } });
      onCreated(game.id);
    } catch (thrown) {
      setError(failureText(thrown));
    } finally {
      setPending(false);
    }
  }

  return (
    <form
      onSubmit={(event) => void onSubmit(event)}
      aria-labelledby={`${id}-heading`}
      aria-busy={pending}
      className="space-y-3 rounded-lg border border-neutral-200 p-4 text-sm dark:border-neutral-800"
    >
      <h2 id={`${id}-heading`} className="font-semibold">
        New game
      </h2>
      <div className="grid grid-cols-3 gap-3">
        <label className="space-y-1">
          <span className="block font-medium">Seats</span>
          <select value={maxSeats} onChange={(event) => setMaxSeats(Number(event.target.value))} className={SELECT}>
            {SEATS.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1">
          <span className="block font-medium">Ticks per second</span>
          <select value={tickHz} onChange={(event) => setTickHz(Number(event.target.value))} className={SELECT}>
            {TICK_RATES.map((hz) => (
              <option key={hz} value={hz}>
                {hz}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1">
          <span className="block font-medium">Rounds to win</span>
          <select value={roundsToWin} onChange={(event) => setRoundsToWin(Number(event.target.value))} className={SELECT}>
            {ROUNDS.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-neutral-900 px-3 py-1.5 font-medium text-white hover:bg-neutral-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-60 dark:bg-neutral-100 dark:text-neutral-900 dark:hover:bg-neutral-300"
      >
        {pending ? "Creating…" : "Create game"}
      </button>
      {error && (
        <p role="alert" className="text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </form>
  );
}
