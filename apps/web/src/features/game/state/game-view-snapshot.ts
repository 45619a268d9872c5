// What React reads of one game (GameView.getSnapshot), what its readout shows, and what an
// action answers.
import type { Phase, Seat } from "@repo/game";
import type { GameOverPayload, GameResult, GameSummary } from "@repo/protocol";
import type { InputLatency } from "./input-tracker";
import type { PlayRates } from "./play-meter";

export type GameViewPhase = "loading" | "ready" | "error";

/** The match as the page shows it around the board: changes a few times a round, not every tick. */
export interface MatchSummary {
  phase: Phase;
  round: number;
  tickHz: number;
  roundsToWin: number;
  /** By index in config.seats, as the seats are. */
  seats: readonly Seat[];
  scores: readonly number[];
  alive: readonly boolean[];
  left: readonly boolean[];
  roundWinner: Seat | null;
  winner: Seat | null;
}

/** Whether this tab's state at the game's last tick hashes like the server's (null until known). */
export type SyncCheck = { tick: number; hash: string; serverHash: string; inSync: boolean } | null;

export interface GameViewSnapshot {
  readonly phase: GameViewPhase;
  /** Why the game could not be opened or followed (phase "error"). */
  readonly error: string | null;
  readonly game: GameSummary | null;
  /** My seat in it, null when I watch. */
  readonly mySeat: Seat | null;
  /** Null until the match has started. */
  readonly match: MatchSummary | null;
  /** The match ended (the topic said so). */
  readonly over: GameOverPayload | null;
  /** The stored result (read once the game finished). */
  readonly result: GameResult | null;
  readonly sync: SyncCheck;
  /** The game is closed: the service no longer serves its topic (after a finished game's linger). */
  readonly closed: boolean;
  /** The service holds no such game (never was, or closed since it finished: its replay may remain). */
  readonly missing: boolean;
}

/** The live readout of what the transport costs in play. */
export interface PlayReadout {
  transport: string;
  /** The server's tick rate; null before the match started. */
  tickHz: number | null;
  rates: PlayRates;
  latency: InputLatency;
  renderDelayMs: number | null;
  jitterMs: number | null;
  /** My inputs: sent, applied late (the late rule), refused. */
  inputs: { sent: number; late: number; refused: number };
  /** Late inputs of every seat, as the ticks reported them. */
  lateAll: number;
  /** Snapshots that corrected this tab's state (should stay 0), and refetches after a gap or reset. */
  desyncs: number;
  refetches: number;
}

export type ActionResult = { ok: true } | { ok: false; message: string };
