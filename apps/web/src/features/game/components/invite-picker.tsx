"use client";

import { failureText } from "@repo/client";
import { GAME_SERVICE_LIMITS, GameLobbyResponse, LeaderboardResponse, gamePaths, type GameSummary, type User } from "@repo/protocol";
import { useEffect, useId, useState, type FormEvent } from "react";
import { useFeatureClient } from "@/components/realtime-provider";

type Candidates = { status: "loading" } | { status: "error"; message: string } | { status: "ready"; users: User[] };

/**
 * Invites someone the service knows as a player (seated in a game in the lobby now, or on the
 * leaderboard), not already seated here, with `game.invite`: they get a notification whose link
 * seats them. Anyone else gets the invite link.
 */
export function InvitePicker({ game, me }: { game: GameSummary; me: User }) {
  const client = useFeatureClient("game");
  const id = useId();
  const [candidates, setCandidates] = useState<Candidates>({ status: "loading" });
  const [chosen, setChosen] = useState("");
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    let cancelled = false;
    Promise.all([
      client.get(gamePaths.lobby, GameLobbyResponse),
      client.get(`${gamePaths.leaderboard}?limit=${GAME_SERVICE_LIMITS.leaderboardMax}`, LeaderboardResponse),
    ]).then(
      ([lobby, { entries }]) => {
        const players = lobby.games.flatMap((listed) => listed.seats.flatMap((seat) => (seat.user ? [seat.user] : [])));
        const byId = new Map([...players, ...entries.map((entry) => entry.user)].map((user) => [user.id, user]));
        if (!cancelled) setCandidates({ status: "ready", users: [...byId.values()].sort((a, b) => a.name.localeCompare(b.name)) });
      },
      (error: unknown) => {
        if (!cancelled) setCandidates({ status: "error", message: failureText(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client]);

  const seated = new Set(game.seats.flatMap((seat) => (seat.user ? [seat.user.id] : [])));
  const users = candidates.status === "ready" ? candidates.users.filter((user) => user.id !== me.id && !seated.has(user.id)) : [];

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const user = users.find((candidate) => candidate.id === chosen);
    if (!user || pending) return;
    setPending(true);
    setOutcome(null);
    try {
      await client.send({ type: "game.invite", payload: { gameId: game.id, userId: user.id } });
      setOutcome({ ok: true, text: `Invited ${user.name}.` });
    } catch (error) {
      setOutcome({ ok: false, text: failureText(error) });
    } finally {
      setPending(false);
    }
  }

  if (candidates.status === "error" || (candidates.status === "ready" && users.length === 0)) return null;
  return (
    <form onSubmit={(event) => void onSubmit(event)} aria-busy={pending} className="flex flex-wrap items-center gap-2 text-sm">
      <label htmlFor={`${id}-user`} className="font-medium">
        Invite a player
      </label>
      <select
        id={`${id}-user`}
        value={chosen}
        onChange={(event) => setChosen(event.target.value)}
        disabled={candidates.status !== "ready"}
        className="rounded-md border border-neutral-300 bg-white px-2 py-1.5 dark:border-neutral-700 dark:bg-neutral-900"
      >
        <option value="">{candidates.status === "loading" ? "Loading…" : "Choose…"}</option>
        {users.map((user) => (
          <option key={user.id} value={user.id}>
            {user.name}
          </option>
        ))}
      </select>
      <button
        type="submit"
        disabled={chosen === "" || pending}
        className="rounded-md border border-neutral-300 px-3 py-1.5 font-medium hover:bg-neutral-100 disabled:opacity-50 dark:border-neutral-700 dark:hover:bg-neutral-900"
      >
        {pending ? "Inviting…" : "Invite"}
      </button>
      {outcome && (
        <p role={outcome.ok ? "status" : "alert"} className={outcome.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400"}>
          {outcome.text}
        </p>
      )}
    </form>
  );
}
