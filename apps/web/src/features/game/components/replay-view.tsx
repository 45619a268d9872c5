"use client";

import { failureText } from "@repo/client";
import { GameId, GameReplayResponse, gamePaths } from "@repo/protocol";
import Link from "next/link";
import { useEffect, useId, useMemo, useState, useSyncExternalStore } from "react";
import { useFeatureClient, useRequestedTransport } from "@/components/realtime-provider";
import { hrefWith } from "@/lib/transport";
import { REPLAY_SPEEDS, ReplayPlayer, type ReplaySnapshot } from "../state/replay-player";
import { GameBoard } from "./game-board";
import { Scoreboard } from "./scoreboard";
import { seatNamesOf, type SeatNames } from "./seat-names";

type Loaded = { status: "loading" } | { status: "error"; message: string } | { status: "ready"; replay: GameReplayResponse };

/**
 * /game/replay/<id>: reads the finished game's seed, inputs and stored result (GET
 * /v1/games/:id/replay) and re-runs it here, tick by tick, with the same simulation the server
 * ran; then says whether it ended in the stored result.
 */
export function ReplayView({ gameId }: { gameId: string }) {
  const client = useFeatureClient("game");
  const transport = useRequestedTransport();
  const valid = GameId.safeParse(gameId).success;
  const [loaded, setLoaded] = useState<Loaded>(valid ? { status: "loading" } : { status: "error", message: "That is not a game id." });

  useEffect(() => {
    if (!valid) return;
    let cancelled = false;
    client.get(gamePaths.replay(gameId), GameReplayResponse).then(
      (replay) => {
        if (!cancelled) setLoaded({ status: "ready", replay });
      },
      (error: unknown) => {
        if (!cancelled) setLoaded({ status: "error", message: failureText(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client, gameId, valid]);

  return (
    <section aria-labelledby="replay-heading" className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 id="replay-heading" className="text-2xl font-semibold tracking-tight">
          Replay
        </h1>
        <Link
          href={hrefWith("/game", "", "transport", transport)}
          className="ml-auto rounded-md border border-neutral-300 px-3 py-1.5 text-sm font-medium hover:bg-neutral-100 dark:border-neutral-700 dark:hover:bg-neutral-900"
        >
          Lobby
        </Link>
      </div>
      {loaded.status === "loading" ? (
        <p role="status" className="text-neutral-600 dark:text-neutral-400">
          Loading the replay…
        </p>
      ) : loaded.status === "error" ? (
        <p role="alert">Couldn&apos;t load this replay: {loaded.message}</p>
      ) : (
        <ReplayPlayerView replay={loaded.replay} />
      )}
    </section>
  );
}

function ReplayPlayerView({ replay }: { replay: GameReplayResponse }) {
  const [player] = useState(() => new ReplayPlayer(replay));
  const snapshot = useSyncExternalStore(player.subscribe, player.getSnapshot, player.getSnapshot);
  const names = useMemo(() => seatNamesOf(replay.result.players), [replay]);
  const speedName = useId();

  // Starts playing once shown.
  useEffect(() => {
    player.play();
    return player.pause;
  }, [player]);

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
      <div className="min-w-0 space-y-3">
        <GameBoard source={player} names={names} mySeat={null} label={`Replay board: tick ${snapshot.tick} of ${snapshot.lastTick}`} />
        <div role="toolbar" aria-label="Replay controls" className="flex flex-wrap items-center gap-2 text-sm">
          <button
            type="button"
            onClick={snapshot.playing ? player.pause : player.play}
            className="w-20 rounded-md bg-neutral-900 px-3 py-1.5 font-medium text-white hover:bg-neutral-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 dark:bg-neutral-100 dark:text-neutral-900"
          >
            {snapshot.playing ? "Pause" : "Play"}
          </button>
          <button type="button" onClick={player.restart} className="rounded-md border border-neutral-300 px-3 py-1.5 font-medium hover:bg-neutral-100 dark:border-neutral-700 dark:hover:bg-neutral-900">
            Restart
          </button>
          <button type="button" onClick={player.skipToEnd} className="rounded-md border border-neutral-300 px-3 py-1.5 font-medium hover:bg-neutral-100 dark:border-neutral-700 dark:hover:bg-neutral-900">
            Skip to the end
          </button>
          <fieldset className="flex items-center gap-1">
            <legend className="sr-only">Speed</legend>
            <span aria-hidden="true" className="text-neutral-600 dark:text-neutral-400">
              Speed
            </span>
            {REPLAY_SPEEDS.map((speed) => (
              <label
                key={speed}
                className="relative cursor-pointer rounded px-2 py-1 font-medium has-checked:bg-neutral-900 has-checked:text-white has-focus-visible:outline-2 has-focus-visible:outline-blue-600 dark:has-checked:bg-neutral-100 dark:has-checked:text-neutral-900"
              >
                <input
                  type="radio"
                  name={speedName}
                  value={speed}
                  checked={snapshot.speed === speed}
                  onChange={() => player.setSpeed(speed)}
                  className="absolute inset-0 cursor-pointer appearance-none opacity-0"
                />
                {speed}×
              </label>
            ))}
          </fieldset>
          <p className="ml-auto tabular-nums text-neutral-600 dark:text-neutral-400">
            Tick <span data-testid="replay-tick">{snapshot.tick}</span> of {snapshot.lastTick}
          </p>
        </div>
        <progress aria-label="Replay progress" value={snapshot.tick} max={Math.max(1, snapshot.lastTick)} className="h-1.5 w-full accent-neutral-900" />
        <Verdict snapshot={snapshot} replay={replay} names={names} />
      </div>
      <aside className="space-y-4">
        <Scoreboard match={snapshot.match} names={names} mySeat={null} />
        <p className="text-sm text-neutral-600 dark:text-neutral-400">
          Nothing here comes from the server but the seed and the {replay.log.length} inputs it applied: this page runs the same simulation,
          so it must end exactly where the game did.
        </p>
      </aside>
    </div>
  );
}

/** Once the replay ends: does it end in the stored result? */
function Verdict({ snapshot, replay, names }: { snapshot: ReplaySnapshot; replay: GameReplayResponse; names: SeatNames }) {
  if (!snapshot.done || !snapshot.verdict) return null;
  const { verdict } = snapshot;
  const { result } = replay;
  const winner = result.winner === null ? "a draw" : `${names.get(result.winner) ?? `Seat ${result.winner + 1}`} wins`;
  return (
    <div
      role="status"
      data-testid="replay-verdict"
      className={`rounded-lg border p-4 text-sm ${verdict.matches ? "border-emerald-300 dark:border-emerald-800" : "border-red-300 dark:border-red-800"}`}
    >
      <p className="font-semibold">{verdict.matches ? "The replay ended in the stored result." : "The replay did not end in the stored result."}</p>
      <p>
        Stored: {winner}, scores {result.scores.join("–")}, after {result.ticks} ticks.
      </p>
      <p className="tabular-nums">
        State hash: replayed {verdict.hash}, stored {verdict.storedHash}
        {verdict.scoresMatch ? "" : " · the scores differ"}
        {verdict.winnerMatch ? "" : " · the winner differs"}
      </p>
    </div>
  );
}
