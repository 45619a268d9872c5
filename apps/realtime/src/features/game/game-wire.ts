import type { NewGameResult, StoredGame } from "@repo/db";
import { InputLogEntry, MatchConfig, stateHash, type MatchState } from "@repo/game";
import { ProtocolError, type GameReplayResponse, type GameResult } from "@repo/protocol";
import { z } from "zod";
import type { GameRoom } from "./game-room";

const Scores = z.array(z.int().nonnegative());

/** What is stored when a room's match ended (one write): config, log, result and seats. */
export function resultRecord(room: GameRoom, final: MatchState, startedAt: Date, log: InputLogEntry[]): NewGameResult {
  const winner = final.winner;
  return {
    id: room.id,
    config: final.config,
    inputLog: log,
    scores: final.scores,
    winnerSeat: winner,
    ticks: final.tick,
    stateHash: stateHash(final),
    startedAt,
    players: final.config.seats.map(({ seat, kind }, index) => ({
      seat,
      kind,
      userId: room.seats.find((entry) => entry.seat === seat)?.user?.id ?? null,
      score: final.scores[index] ?? 0,
      won: seat === winner,
    })),
  };
}

/** A result as the protocol's GameResult, from what was stored (the users are the room's). */
export function resultToWire(record: NewGameResult, room: GameRoom, finishedAt: Date): GameResult {
  return {
    scores: record.scores,
    winner: record.winnerSeat,
    ticks: record.ticks,
    stateHash: record.stateHash,
    finishedAt: finishedAt.toISOString(),
    players: record.players.map((player) => ({
      seat: player.seat,
      kind: player.kind === "bot" ? "bot" : "human",
      user: room.seats.find((entry) => entry.seat === player.seat)?.user ?? null,
      score: player.score,
      won: player.won,
    })),
  };
}

/** A stored game as its replay. Stored JSON is checked on the way out: a bad row is an `internal` error, not a bad replay. */
export function storedToReplay(stored: StoredGame): GameReplayResponse {
  const config = MatchConfig.safeParse(stored.config);
  const log = z.array(InputLogEntry).safeParse(stored.inputLog);
  const scores = Scores.safeParse(stored.scores);
  if (!config.success || !log.success || !scores.success) throw new ProtocolError("internal", "The stored game cannot be read");
  return {
    config: config.data,
    log: log.data,
    result: {
      scores: scores.data,
      winner: stored.winnerSeat,
      ticks: stored.ticks,
      stateHash: stored.stateHash,
      finishedAt: stored.finishedAt.toISOString(),
      players: stored.players.map((player) => ({
        seat: player.seat,
        kind: player.kind === "bot" ? "bot" : "human",
        user: player.user,
        score: player.score,
        won: player.won,
      })),
    },
  };
}
