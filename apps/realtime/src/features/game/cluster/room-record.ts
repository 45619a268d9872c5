import { Action, createInputQueue, GAME_LIMITS, MatchState, Seat, type InputQueue } from "@repo/game";
import { GameResult, GameSummary, SeatKey } from "@repo/protocol";
import { z } from "zod";
import { summaryOf, type GameRoom } from "../game-room";
import { InputLog } from "../input-log";

const Count = z.int().nonnegative();

const StoredQueue = z.object({
  lastAcceptedSeq: Count,
  lastAppliedSeq: Count,
  pending: z.array(z.object({ seq: Count, action: Action, forTick: Count.nullable(), late: z.boolean() })).max(GAME_LIMITS.inputQueueMax),
  offersTick: Count,
  offersCount: Count,
}) satisfies z.ZodType<InputQueue>;

/**
 * A room as written to Redis with each of its game's events (the hub's fenced
 * publish): enough for another instance to read the game, list it, and take
 * it over where the last event left it. Bounded: the summary, one queue per
 * seat, one match state (the grid's trails, as on the wire); the input log is
 * a list of its own, appended each tick.
 */
export const RoomRecord = z.object({
  game: GameSummary,
  queues: z.record(SeatKey, StoredQueue),
  match: z.object({ state: MatchState, startedAt: z.string().datetime(), leaving: z.array(Seat).max(GAME_LIMITS.maxSeats) }).nullable(),
  result: GameResult.nullable(),
});
export type RoomRecord = z.infer<typeof RoomRecord>;

/** What the lobby reads of a record: its summary only. */
export const RecordSummary = z.looseObject({ game: GameSummary });

/** The record of `room`, with `state` as its match's state (the last tick published). */
export function recordOf(room: GameRoom, state: MatchState | null): string {
  const queues: Record<string, InputQueue> = {};
  for (const entry of room.seats) if (entry.kind === "human") queues[String(entry.seat)] = entry.queue;
  const record: RoomRecord = {
    game: summaryOf(room),
    queues,
    match: room.match && state ? { state, startedAt: room.match.startedAt.toISOString(), leaving: [...room.match.leaving] } : null,
    result: room.result,
  };
  return JSON.stringify(record);
}

/** A room again from its record and its input log (`published` is the caller's to set). */
export function roomFrom(record: RoomRecord, log: readonly number[]): GameRoom {
  const { game } = record;
  return {
    id: game.id,
    host: game.host,
    settings: game.settings,
    createdAt: new Date(game.createdAt),
    status: game.status,
    seats: game.seats.map((seat) => ({ ...seat, queue: record.queues[String(seat.seat)] ?? createInputQueue() })),
    rematchId: game.rematchId,
    match: record.match
      ? { state: record.match.state, startedAt: new Date(record.match.startedAt), log: new InputLog(log), leaving: new Set(record.match.leaving), published: null }
      : null,
    result: record.result,
  };
}

