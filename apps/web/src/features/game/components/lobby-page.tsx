"use client";

import type { GameId } from "@repo/protocol";
import { useEffect, useState, useSyncExternalStore } from "react";
import { useFeatureClient } from "@/components/realtime-provider";
import { useUser } from "@/components/session";
import { LobbyStore } from "../state/lobby-store";
import { GameList } from "./game-list";
import { Leaderboard } from "./leaderboard";
import { NewGameForm } from "./new-game-form";

/** /game without a game: the live lobby (game:lobby), a new game, and the leaderboard. */
export function LobbyPage({
  gameHref,
  joinHref,
  onCreated,
}: {
  gameHref: (id: GameId) => string;
  joinHref: (id: GameId) => string;
  onCreated: (id: GameId) => void;
}) {
  const client = useFeatureClient("game");
  const me = useUser();
  const [store] = useState(() => new LobbyStore(client));
  const lobby = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  useEffect(() => {
    store.start();
    return store.stop;
  }, [store]);

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <section aria-labelledby="lobby-heading" className="space-y-3">
        <h1 id="lobby-heading" className="text-2xl font-semibold tracking-tight">
          Light Cycles
        </h1>
        <p className="max-w-2xl text-sm text-neutral-700 dark:text-neutral-300">
          Steer your cycle on the grid; trails are walls; the last one moving takes the round. The same game runs on every transport:
          switch it in the bar above, mid-game, and watch what it costs.
        </p>
        {lobby.phase === "error" ? (
          <div role="alert" className="space-y-2 text-sm">
            <p>Couldn&apos;t load the lobby: {lobby.error}</p>
            <button type="button" onClick={store.retry} className="rounded-md bg-neutral-900 px-3 py-1.5 font-medium text-white dark:bg-neutral-100 dark:text-neutral-900">
              Try again
            </button>
          </div>
        ) : lobby.phase === "loading" ? (
          <p role="status" className="text-sm text-neutral-500">
            Loading the lobby…
          </p>
        ) : (
          <GameList games={lobby.games} me={me} gameHref={gameHref} joinHref={joinHref} />
        )}
      </section>
      <div className="space-y-6">
        <NewGameForm onCreated={onCreated} />
        <Leaderboard entries={lobby.leaderboard} error={lobby.leaderboardError} />
      </div>
    </div>
  );
}
