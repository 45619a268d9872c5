import type { GameSummary } from "@repo/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { LobbyStore } from "../src/features/game/state/lobby-store";
import { ADA, BOB, ScriptedGame, ScriptedNetwork, settle } from "./support/game-harness";

/** Game number `n` (its id and creation time sort with n), hosted by Ada. */
function game(n: number, status: GameSummary["status"] = "waiting"): GameSummary {
  const { summary } = new ScriptedGame([{ seat: 0, user: ADA }]);
  return { ...summary, id: `game${String(n).padStart(8, "0")}`, status, createdAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString() };
}

const stores: LobbyStore[] = [];

async function openLobby(network: ScriptedNetwork) {
  const store = new LobbyStore(network.client());
  stores.push(store);
  store.start();
  await settle();
  return store;
}

const ids = (store: LobbyStore) => store.getSnapshot().games.map((g) => g.id);

afterEach(() => {
  for (const store of stores.splice(0)) store.stop();
});

describe("LobbyStore", () => {
  it("reads the lobby, then follows game:lobby from the read's position: updates replace by id, removals drop", async () => {
    const network = new ScriptedNetwork(new ScriptedGame([{ seat: 0, user: ADA }]), ADA);
    network.lobby.update(game(2, "playing"));
    network.lobby.update(game(3));
    const store = await openLobby(network);
    expect(network.reads).toEqual(expect.arrayContaining(["/v1/games", "/v1/games/leaderboard"]));
    expect(store.getSnapshot()).toMatchObject({ phase: "ready", leaderboard: [] });
    expect(network.deliver()).toBe(0); // what the read held does not come again
    // Waiting games first, then playing, oldest first in each.
    expect(ids(store)).toEqual(["game00000003", "game00000002"]);

    network.lobby.update(game(1));
    network.lobby.update({ ...game(3), seats: [...game(3).seats, { seat: 1, kind: "human", user: BOB, ready: false, connected: true, left: false }] });
    network.lobby.remove("game00000002");
    network.deliver();
    expect(ids(store)).toEqual(["game00000001", "game00000003"]);
    expect(store.getSnapshot().games[1]?.seats.map((s) => s.user?.name)).toEqual(["Ada", "Bob"]);
  });

  it("reads the leaderboard again once a listed game finishes", async () => {
    const network = new ScriptedNetwork(new ScriptedGame([{ seat: 0, user: ADA }]), ADA);
    network.lobby.update(game(1, "playing"));
    const store = await openLobby(network);
    expect(network.lobby.leaderboardReads).toBe(1);
    network.lobby.leaderboard = [{ user: ADA, wins: 1, games: 1 }];
    network.lobby.update(game(1, "finished"));
    network.deliver();
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(network.lobby.leaderboardReads).toBe(2);
    expect(store.getSnapshot().leaderboard).toEqual([{ user: ADA, wins: 1, games: 1 }]);
  });

  it("a reset reads the list again", async () => {
    const network = new ScriptedNetwork(new ScriptedGame([{ seat: 0, user: ADA }]), ADA);
    network.lobby.update(game(1));
    const store = await openLobby(network);
    // The service restarted: game 1 is gone, game 4 is new, and the old log with them.
    network.lobby.games.clear();
    network.lobby.games.set("game00000004", game(4));
    network.live.resetTopic(network.lobby.topic, { epoch: "e2", offset: 0 });
    await settle();
    expect(ids(store)).toEqual(["game00000004"]);
  });
});
