import { z } from "zod";
import { GAME_LIMITS } from "./limits";

/*
 * The game's data, as zod schemas with their inferred types. All of it is plain
 * JSON: a MatchState is the snapshot on the wire and in the database, a
 * TickDelta is the per-tick message, an InputLogEntry[] is a stored replay.
 */

export const Direction = z.enum(["up", "down", "left", "right"]);
export type Direction = z.infer<typeof Direction>;

/** A seat number; seats need not be contiguous (seat 3 can stay while seat 1 leaves the lobby). */
export const Seat = z.int().min(0).max(GAME_LIMITS.maxSeats - 1);
export type Seat = z.infer<typeof Seat>;

/** A grid cell; (0,0) is the top-left corner, y grows downwards. */
export const Cell = z.object({
  x: z.int().min(0).max(GAME_LIMITS.maxSide - 1),
  y: z.int().min(0).max(GAME_LIMITS.maxSide - 1),
});
export type Cell = z.infer<typeof Cell>;

export const SeatKind = z.enum(["human", "bot"]);
export type SeatKind = z.infer<typeof SeatKind>;

export const SeatSetup = z.object({ seat: Seat, kind: SeatKind });
export type SeatSetup = z.infer<typeof SeatSetup>;

const Side = z.int().min(GAME_LIMITS.minSide).max(GAME_LIMITS.maxSide);

export const MatchConfig = z.object({
  /** Seeds the spawns of every round (uint32). */
  seed: z.int().min(0).max(0xffff_ffff),
  width: Side,
  height: Side,
  roundsToWin: z.int().min(1).max(GAME_LIMITS.roundsToWinMax),
  tickHz: z.int().min(GAME_LIMITS.tickHzMin).max(GAME_LIMITS.tickHzMax),
  /** In this order: scores and cycles follow it. */
  seats: z
    .array(SeatSetup)
    .min(GAME_LIMITS.minSeats)
    .max(GAME_LIMITS.maxSeats)
    .refine((seats) => new Set(seats.map((s) => s.seat)).size === seats.length, "Seats must be distinct"),
});
export type MatchConfig = z.infer<typeof MatchConfig>;

export const TurnAction = z.object({ type: z.literal("turn"), dir: Direction });
export type TurnAction = z.infer<typeof TurnAction>;
export const LeaveAction = z.object({ type: z.literal("leave") });
export type LeaveAction = z.infer<typeof LeaveAction>;
export const Action = z.discriminatedUnion("type", [TurnAction, LeaveAction]);
export type Action = z.infer<typeof Action>;

/** One seat's action, applied by the sim at one tick. */
export const TickInput = z.object({ seat: Seat, action: Action });
export type TickInput = z.infer<typeof TickInput>;

/** The most cells a trail can have corners at (a turn per cell). */
const MAX_CORNERS = GAME_LIMITS.maxSide * GAME_LIMITS.maxSide;

export const CycleState = z.object({
  seat: Seat,
  /** Moving in this round. */
  alive: z.boolean(),
  /** The seat has left the game: never alive again. */
  left: z.boolean(),
  dir: Direction,
  head: Cell,
  /**
   * The trail: a polyline from the spawn cell through each turn point, closed
   * by `head`. Empty for a seat that left before this round began (no trail).
   */
  corners: z.array(Cell).max(MAX_CORNERS),
});
export type CycleState = z.infer<typeof CycleState>;

export const Phase = z.enum(["countdown", "playing", "roundOver", "gameOver"]);
export type Phase = z.infer<typeof Phase>;

/** Ticks count from 0 at createMatch; a game ends by GAME_LIMITS.maxGameTicks (a gameOver state may still be stepped). */
const Tick = z.int().min(0);

/** The whole game at one tick: this is the snapshot. */
export const MatchState = z
  .object({
    config: MatchConfig,
    tick: Tick,
    phase: Phase,
    /** Ticks until the phase changes (countdown, roundOver); 0 in playing and gameOver. */
    phaseTicksLeft: z.int().min(0),
    /** 1-based. */
    round: z.int().min(1),
    /** Round wins, by index in config.seats. */
    scores: z.array(z.int().min(0)).max(GAME_LIMITS.maxSeats),
    /** By index in config.seats. */
    cycles: z.array(CycleState).max(GAME_LIMITS.maxSeats),
    /** The survivor of the round that just ended (null: draw, or the round is on). */
    roundWinner: Seat.nullable(),
    /** The game's winner once gameOver (null: a draw, or not over). */
    winner: Seat.nullable(),
    /** The xoroshiro128+ state (four int32), so a snapshot resumes the exact random stream. */
    rng: z.array(z.int().min(-0x8000_0000).max(0x7fff_ffff)).length(4),
  })
  .superRefine((state, ctx) => {
    // What the sim relies on across fields: one cycle and one score per seat, in seat order, all on the grid.
    const seats = state.config.seats.map((s) => s.seat);
    if (state.cycles.length !== seats.length || state.cycles.some((c, i) => c.seat !== seats[i])) {
      ctx.addIssue({ code: "custom", path: ["cycles"], message: "One cycle per seat, in the order of config.seats" });
    }
    if (state.scores.length !== seats.length) ctx.addIssue({ code: "custom", path: ["scores"], message: "One score per seat" });
    const onGrid = (cell: Cell) => cell.x < state.config.width && cell.y < state.config.height;
    if (!state.cycles.every((c) => onGrid(c.head) && c.corners.every(onGrid))) {
      ctx.addIssue({ code: "custom", path: ["cycles"], message: "Cells must be on the grid" });
    }
  });
export type MatchState = z.infer<typeof MatchState>;

/** The per-tick message: the inputs the sim applied at `tick` (clients re-run the sim with them). */
export const TickDelta = z.object({ tick: Tick.min(1), inputs: z.array(TickInput).max(2 * GAME_LIMITS.maxSeats) });
export type TickDelta = z.infer<typeof TickDelta>;

/** One applied input of a stored game (the replay log): `tick` is the tick it was applied at. */
export const InputLogEntry = z.object({ tick: Tick.min(1), seat: Seat, action: Action });
export type InputLogEntry = z.infer<typeof InputLogEntry>;
