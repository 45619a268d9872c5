"use client";

import { GameId } from "@repo/protocol";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect } from "react";
import { hrefWith } from "@/lib/transport";
import { GameRoom } from "./game-room";
import { LobbyPage } from "./lobby-page";

/** `?game=` or `?join=` as a game id; null when absent or malformed. */
function gameFromParam(value: string | null): GameId | null {
  const parsed = GameId.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * /game: the lobby, or one game (`?game=<id>`: play or watch it). `?join=<id>` (the link an
 * invite points to) takes a seat first, and becomes `?game=<id>` so a reload does not join again.
 * `?transport=` is kept throughout.
 */
export function GameApp() {
  const searchParams = useSearchParams();
  const pathname = usePathname();
  const router = useRouter();
  const joining = gameFromParam(searchParams.get("join"));
  const gameId = joining ?? gameFromParam(searchParams.get("game"));

  const withGame = useCallback(
    (id: GameId | null, key: "game" | "join" = "game") => {
      const params = new URLSearchParams(searchParams);
      params.delete("game");
      params.delete("join");
      return id === null ? hrefWith(pathname, params, "game", null) : hrefWith(pathname, params, key, id);
    },
    [pathname, searchParams],
  );
  const openGame = useCallback((id: GameId) => router.push(withGame(id), { scroll: false }), [router, withGame]);
  const backToLobby = useCallback(() => router.push(withGame(null), { scroll: false }), [router, withGame]);

  useEffect(() => {
    if (joining) router.replace(withGame(joining), { scroll: false });
  }, [joining, router, withGame]);

  if (!gameId) {
    return <LobbyPage gameHref={(id) => withGame(id)} joinHref={(id) => withGame(id, "join")} onCreated={openGame} />;
  }
  const transport = searchParams.get("transport");
  return (
    <GameRoom
      key={gameId}
      gameId={gameId}
      joinOnOpen={joining !== null}
      lobbyHref={withGame(null)}
      replayHref={hrefWith(`/game/replay/${gameId}`, "", "transport", transport)}
      onOpenGame={openGame}
      onLeft={backToLobby}
    />
  );
}
