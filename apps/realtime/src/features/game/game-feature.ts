import { GAME_SERVICE_LIMITS, type User } from "@repo/protocol";
import { defineFeature } from "../feature";
import { createGameCluster, DEFAULT_CLUSTER_TIMINGS, type GameCluster, type GameClusterTimings } from "./cluster/game-cluster";
import { route, serveForwarded } from "./game-commands";
import { createGameMetrics } from "./game-metrics";
import { registerGameRoutes } from "./game-routes";
import { createGameService, type GameCommand, type GameLimits } from "./game-service";
import { inProcessOwnership, type GameLoopOwnership } from "./loop-ownership";

export interface GameConfig extends GameLimits {
  /** Where each game's tick loop runs (default: in this process; a lease for scale-out). */
  ownership: GameLoopOwnership;
  /** `game.create` per user per window. */
  createLimit: { points: number; windowSeconds: number };
  /** `game.invite` per user per window. */
  inviteLimit: { points: number; windowSeconds: number };
  /** `game.input` per user per window, over all games (the input queue's per-tick rule comes first). */
  inputLimit: { points: number; windowSeconds: number };
  /** Several instances (Redis): leases, takeover scans and forwarding (cluster/game-cluster.ts). */
  cluster: GameClusterTimings;
}

export type GameOptions = Partial<Omit<GameConfig, "cluster">> & { cluster?: Partial<GameClusterTimings> };

/**
 * Light Cycles on `game:lobby` and `game:<gameId>` (any signed-in user reads
 * them: players and spectators): the lobby, server-side bots, one fixed-rate
 * tick loop per game, inputs with per-seat sequence numbers, snapshots and
 * deltas on the game's topic, results and replays stored once a game ends,
 * invites told to the notifications (through the feature events).
 */
export function gameFeature(options: GameOptions = {}) {
  return defineFeature<GameConfig>({
    name: "game",
    config: {
      maxGames: GAME_SERVICE_LIMITS.gamesTotal,
      gamesPerUser: GAME_SERVICE_LIMITS.gamesPerUser,
      disconnectGraceMs: GAME_SERVICE_LIMITS.disconnectGraceMs,
      finishedLingerMs: GAME_SERVICE_LIMITS.finishedLingerMs,
      waitingIdleMs: GAME_SERVICE_LIMITS.waitingIdleMs,
      ownership: options.ownership ?? inProcessOwnership(),
      createLimit: GAME_SERVICE_LIMITS.createRate,
      inviteLimit: GAME_SERVICE_LIMITS.inviteRate,
      inputLimit: GAME_SERVICE_LIMITS.inputRate,
      ...options,
      cluster: { ...DEFAULT_CLUSTER_TIMINGS, ...options.cluster },
    },
    create(context) {
      const { config, shared } = context;
      // On Redis the game's shared side: the service is made below, and forwarded commands reach it once it is.
      let serve: (user: User, command: unknown) => Promise<unknown> = () => Promise.reject(new Error("not started"));
      const cluster: GameCluster | undefined = shared
        ? createGameCluster({
            ...config.cluster,
            redis: shared.redis,
            keyPrefix: shared.keyPrefix,
            serve: (user, command) => serve(user, command),
            onError: (error) => context.log.warn({ err: error }, "game cluster: a forwarded command failed"),
          })
        : undefined;
      const games = createGameService({
        cluster,
        hub: context.hub,
        presence: context.presence,
        db: context.db,
        log: context.log,
        events: context.events,
        ownership: config.ownership,
        limits: config,
        revokeRead: (userId, topic) => context.revokeRead(userId, topic),
        metrics: (stats) => createGameMetrics(context.metrics, stats),
        defaultTickHz: () => context.flags.gameTickHz(),
      });
      serve = (user, command) => serveForwarded(games, user, command);
      // One handler for every game command: route runs it here or on the game's owner; each result is its type's.
      const run = ({ user }: { user: User }, command: GameCommand) => route(games, user, command) as Promise<never>;
      return {
        topics: { game: (user, id) => games.canRead(user, id) },
        commands: {
          "game.create": { limit: config.createLimit, run },
          "game.join": { run },
          "game.leave": { run },
          "game.ready": { run },
          "game.addBot": { run },
          "game.start": { run },
          // No receipt (no database write per input): the per-seat seq makes a resend harmless.
          "game.input": { receipts: false, limit: config.inputLimit, run },
          "game.rematch": { run },
          "game.invite": { limit: config.inviteLimit, run },
        },
        routes: (app) => registerGameRoutes(app, context.auth, games),
        jobs: [
          {
            name: "game presence and loops",
            start() {
              const stopPresence = games.trackPresence();
              const stopCluster = games.startCluster();
              return () => {
                stopPresence();
                stopCluster();
                games.close();
              };
            },
          },
        ],
      };
    },
  });
}
