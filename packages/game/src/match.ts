import { countdownTicksFor, GAME_LIMITS, roundOverTicksFor } from "./limits";
import { peekGrid, rememberGrid, type Grid } from "./grid";
import { moveCycles } from "./movement";
import { MatchConfig, type CycleState, type Direction, type MatchState, type Seat, type TickDelta, type TickInput } from "./schemas";
import { selectInputs } from "./select-inputs";
import { initialRng, spawnCycles } from "./spawns";

/*
 * The match as a pure step function. Phases, one tick at a time:
 *   countdown (countdownTicksFor(tickHz) ticks, nobody moves, turns ignored)
 *   → playing (turns apply, every live cycle moves one cell per tick)
 *   → roundOver once at most one cycle is alive (roundOverTicksFor(tickHz) ticks)
 *   → countdown of the next round (fresh spawns from the state's rng) …
 *   → gameOver (terminal: later steps only advance the tick and record leaves).
 * The game is over when a score reaches roundsToWin (that seat wins), when fewer
 * than two seats are still in the game (the one left wins by forfeit; nobody if
 * none), or at GAME_LIMITS.maxGameTicks (the single top scorer wins, else a draw).
 */

export interface StepResult {
  state: MatchState;
  delta: TickDelta;
}

/** A new match at tick 0: round 1's countdown, seeded spawns. Throws (ZodError) on an invalid config. */
export function createMatch(config: MatchConfig): MatchState {
  const valid = MatchConfig.parse(config);
  const seats = valid.seats.map((s) => s.seat);
  const { cycles, rng } = spawnCycles(valid, seats, initialRng(valid.seed));
  return {
    config: valid,
    tick: 0,
    phase: "countdown",
    phaseTicksLeft: countdownTicksFor(valid.tickHz),
    round: 1,
    scores: seats.map(() => 0),
    cycles,
    roundWinner: null,
    winner: null,
    rng,
  };
}

/** Whether the next step applies turns (the service takes queued turns only then). */
export function acceptsTurns(state: MatchState): boolean {
  return state.phase === "playing";
}

function startRound(state: MatchState, cycles: CycleState[], tick: number): MatchState {
  const seats = cycles.filter((c) => !c.left).map((c) => c.seat);
  const spawned = spawnCycles(state.config, seats, state.rng);
  const fresh = new Map(spawned.cycles.map((c) => [c.seat, c]));
  return {
    ...state,
    tick,
    phase: "countdown",
    phaseTicksLeft: countdownTicksFor(state.config.tickHz),
    round: state.round + 1,
    cycles: cycles.map((c) => fresh.get(c.seat) ?? { ...c, alive: false, corners: [] }),
    roundWinner: null,
    rng: spawned.rng,
  };
}

function endRound(state: MatchState): MatchState {
  const alive = state.cycles.filter((c) => c.alive);
  if (alive.length > 1) return state;
  const survivor = alive[0]?.seat ?? null;
  const scores = state.cycles.map((c, i) => (state.scores[i] ?? 0) + (c.seat === survivor ? 1 : 0));
  const won = survivor !== null && scores.some((score) => score >= state.config.roundsToWin);
  return won
    ? { ...state, phase: "gameOver", phaseTicksLeft: 0, scores, roundWinner: survivor, winner: survivor }
    : { ...state, phase: "roundOver", phaseTicksLeft: roundOverTicksFor(state.config.tickHz), scores, roundWinner: survivor };
}

function topScorer(state: MatchState): Seat | null {
  const best = Math.max(...state.scores);
  const leaders = state.cycles.filter((_, i) => state.scores[i] === best);
  return leaders.length === 1 ? (leaders[0]?.seat ?? null) : null;
}

/** Game-ending conditions outside the round's own result: forfeits and the tick bound. */
function checkGameOver(state: MatchState): MatchState {
  if (state.phase === "gameOver") return state;
  const inGame = state.cycles.filter((c) => !c.left);
  if (inGame.length < 2) return { ...state, phase: "gameOver", phaseTicksLeft: 0, winner: inGame[0]?.seat ?? null };
  if (state.tick >= GAME_LIMITS.maxGameTicks) return { ...state, phase: "gameOver", phaseTicksLeft: 0, winner: topScorer(state) };
  return state;
}

/** The phase machine for one tick; also hands on the grid when it is known (see grid.ts). */
function advance(state: MatchState, cycles: CycleState[], turns: Map<Seat, Direction>, tick: number): { state: MatchState; grid?: Grid } {
  // Outside "playing" no trail changes until a round starts: the grid carries over.
  const grid = peekGrid(state);
  switch (state.phase) {
    case "gameOver":
      return { state: { ...state, tick, cycles }, grid };
    case "countdown": {
      const left = state.phaseTicksLeft - 1;
      return { state: { ...state, tick, cycles, phase: left > 0 ? "countdown" : "playing", phaseTicksLeft: Math.max(0, left) }, grid };
    }
    case "roundOver": {
      const left = state.phaseTicksLeft - 1;
      return left > 0 ? { state: { ...state, tick, cycles, phaseTicksLeft: left }, grid } : { state: startRound(state, cycles, tick) };
    }
    case "playing": {
      const moved = moveCycles(state, cycles, turns);
      return { state: endRound({ ...state, tick, cycles: moved.cycles }), grid: moved.grid };
    }
  }
}

/**
 * One tick. Never mutates `state` (unchanged parts are shared with the result).
 * `inputs` may hold anything the service collected; what was applied is the
 * delta (see selectInputs).
 */
export function stepMatch(state: MatchState, inputs: readonly TickInput[]): StepResult {
  const tick = state.tick + 1;
  const selected = selectInputs(state, inputs);
  const cycles =
    selected.leaves.size === 0
      ? state.cycles
      : state.cycles.map((c) => (selected.leaves.has(c.seat) ? { ...c, alive: false, left: true } : c));
  const advanced = advance(state, cycles, selected.turns, tick);
  const next = checkGameOver(advanced.state);
  if (advanced.grid !== undefined) rememberGrid(next, advanced.grid);
  return { state: next, delta: { tick, inputs: selected.applied } };
}
