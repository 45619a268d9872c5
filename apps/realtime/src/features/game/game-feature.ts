import { GAME_SERVICE_LIMITS } from "@repo/protocol";
import { defineFeature } from "../feature";
import { createGameMetrics } from "./game-metrics";
import { registerGameRoutes } from "./game-routes";
import { createGameService, type GameLimits } from "./game-service";
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
}

export type GameOptions = Partial<GameConfig>;

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
    },
    create(context) {
      const { config } = context;
      const games = createGameService({
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
      return {
        topics: { game: (user, id) => games.canRead(user, id) },
        commands: {
          "game.create": { limit: config.createLimit, run: ({ user }, command) => games.create(user, command.payload) },
          "game.join": { run: ({ user }, command) => games.join(user, command.payload.gameId) },
          "game.leave": { run: ({ user }, command) => games.leave(user, command.payload.gameId) },
          "game.ready": { run: ({ user }, command) => games.ready(user, command.payload.gameId, command.payload.ready) },
          "game.addBot": { run: ({ user }, command) => games.addBot(user, command.payload.gameId) },
          "game.start": { run: ({ user }, command) => games.start(user, command.payload.gameId) },
          // No receipt (no database write per input): the per-seat seq makes a resend harmless.
          "game.input": { receipts: false, limit: config.inputLimit, run: ({ user }, command) => games.input(user, command.payload) },
          "game.rematch": { run: ({ user }, command) => games.rematch(user, command.payload.gameId) },
          "game.invite": {
            limit: config.inviteLimit,
            run: ({ user }, command) => games.invite(user, command.payload.gameId, command.payload.userId),
          },
        },
        routes: (app) => registerGameRoutes(app, context.auth, games),
        jobs: [
          {
            name: "game presence and loops",
            start() {
              const stopPresence = games.trackPresence();
              return () => {
                stopPresence();
                games.close();
              };
            },
          },
        ],
      };
    },
  });
}
