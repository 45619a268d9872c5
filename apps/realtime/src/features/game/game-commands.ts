import { Command, ProtocolError, type User } from "@repo/protocol";
import type { GameCommand, GameCommandType, GameService } from "./game-service";

/** Runs a game command on this instance (it holds the game, or the command creates one). */
export function runHere(games: GameService, user: User, command: GameCommand): Promise<unknown> {
  switch (command.type) {
    case "game.create":
      return games.create(user, command.payload);
    case "game.join":
      return games.join(user, command.payload.gameId);
    case "game.leave":
      return games.leave(user, command.payload.gameId);
    case "game.ready":
      return games.ready(user, command.payload.gameId, command.payload.ready);
    case "game.addBot":
      return games.addBot(user, command.payload.gameId);
    case "game.start":
      return games.start(user, command.payload.gameId);
    case "game.input":
      return games.input(user, command.payload);
    case "game.rematch":
      return games.rematch(user, command.payload.gameId);
    case "game.invite":
      return games.invite(user, command.payload.gameId, command.payload.userId);
    default: {
      const unhandled: never = command;
      return unhandled;
    }
  }
}

/** Runs a game command where its game is: here, or forwarded to the instance that holds it (several instances). */
export function route(games: GameService, user: User, command: GameCommand): Promise<unknown> {
  const gameId = games.gameIdOf(command);
  if (gameId === null || games.runsHere(gameId)) return runHere(games, user, command);
  return games.forward(gameId, user, command);
}

/** A command another instance forwarded here: checked again (it crossed Redis), run only if this instance still holds its game. */
export function serveForwarded(games: GameService, user: User, raw: unknown): Promise<unknown> {
  const parsed = Command.safeParse(raw);
  if (!parsed.success || !parsed.data.type.startsWith("game.")) return Promise.reject(new ProtocolError("validation", "Not a game command"));
  const command = parsed.data as GameCommand;
  const gameId = games.gameIdOf(command);
  if (gameId === null || !games.runsHere(gameId)) {
    return Promise.reject(new ProtocolError("unavailable", "The game is moving to another instance; try again"));
  }
  return runHere(games, user, command);
}

export type { GameCommandType };
