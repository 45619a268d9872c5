/**
 * The game server under test, in its own process (pinned to CPU 0 by the
 * orchestrator): the real service with its game feature, or the bare
 * socket.io game server. Answers with its CPU time, memory, games and the
 * tick-lateness histogram, so every reading is taken where the ticks run.
 */
import { serveApi } from "../ipc";
import { monotonicMs } from "../message";
import type { GameServerHandle, GameServerKind } from "./servers/game-server";

let server: GameServerHandle | undefined;

function running(): GameServerHandle {
  if (!server) throw new Error("game server not started");
  return server;
}

const api = {
  async start(args: { kind: GameServerKind; logLevel: string; maxGames: number }) {
    if (args.kind === "switchboard") {
      // Loaded only here, so the bare server runs even while the service does not build.
      const { startSwitchboardGames } = await import("./servers/switchboard-game");
      server = await startSwitchboardGames({ logLevel: args.logLevel, maxGames: args.maxGames });
    } else {
      const { startBareGames } = await import("./servers/bare-game-server");
      server = await startBareGames();
    }
    return { url: server.url, pid: process.pid };
  },

  /** One reading: time, CPU, memory, games by status, and the lateness histogram so far. */
  async sample() {
    const target = running();
    const [lateness, games] = await Promise.all([target.lateness(), target.games()]);
    return { t: monotonicMs(), cpu: process.cpuUsage(), memory: process.memoryUsage(), lateness, games };
  },

  async close() {
    await server?.close();
    server = undefined;
  },
};

export type GameServerApi = typeof api;

serveApi(api);
process.on("SIGTERM", () => {
  void api.close().finally(() => process.exit(0));
});
