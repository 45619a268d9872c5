// The match as the page shows it around the board (phase, round, scores, who is still moving),
// and a key that changes only when that does: a few times a round, not every tick.
import type { MatchState } from "@repo/game";
import type { MatchSummary } from "./game-view-snapshot";

export function matchSummaryOf(state: MatchState): MatchSummary {
  return {
    phase: state.phase,
    round: state.round,
    tickHz: state.config.tickHz,
    roundsToWin: state.config.roundsToWin,
    seats: state.config.seats.map((s) => s.seat),
    scores: state.scores,
    alive: state.cycles.map((c) => c.alive),
    left: state.cycles.map((c) => c.left),
    roundWinner: state.roundWinner,
    winner: state.winner,
  };
}

export function summaryKey(summary: MatchSummary): string {
  return JSON.stringify(summary);
}
