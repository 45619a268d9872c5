import {
  GameParams,
  LeaderboardQuery,
  gameRoutes,
  parseOrThrow,
  type GameLobbyResponse,
  type GameReplayResponse,
  type GameResponse,
  type LeaderboardResponse,
} from "@repo/protocol";
import type { FastifyInstance } from "fastify";
import type { Auth } from "../../auth/auth";
import { noStore } from "../../http/no-store";
import { requireUser } from "../../http/request-auth";
import type { GameService } from "./game-service";

/**
 * The game reads, as plain GETs (any transport's client uses them):
 *   GET /v1/games                  every game held, + the lobby topic's position
 *   GET /v1/games/leaderboard      most wins per user (?limit)
 *   GET /v1/games/:gameId          the game, its state now and the position it stands at
 *   GET /v1/games/:gameId/replay   a finished game's config, input log and result
 * An unknown (or closed) game is 404; its replay stays once it finished.
 */
export function registerGameRoutes(app: FastifyInstance, auth: Auth, games: GameService) {
  app.get(gameRoutes.lobby, async (request, reply) => {
    await requireUser(auth, request);
    noStore(reply);
    const body: GameLobbyResponse = await games.lobby();
    return body;
  });

  app.get(gameRoutes.leaderboard, async (request, reply) => {
    await requireUser(auth, request);
    const { limit } = parseOrThrow(LeaderboardQuery, request.query, "leaderboard query");
    noStore(reply);
    const body: LeaderboardResponse = await games.leaderboard(limit);
    return body;
  });

  app.get(gameRoutes.game, async (request, reply) => {
    await requireUser(auth, request);
    const { gameId } = parseOrThrow(GameParams, request.params, "game id");
    noStore(reply);
    const body: GameResponse = await games.game(gameId);
    return body;
  });

  app.get(gameRoutes.replay, async (request, reply) => {
    await requireUser(auth, request);
    const { gameId } = parseOrThrow(GameParams, request.params, "game id");
    noStore(reply);
    const body: GameReplayResponse = await games.replay(gameId);
    return body;
  });
}
