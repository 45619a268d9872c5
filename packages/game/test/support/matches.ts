import {
  botAction,
  createMatch,
  logEntriesOf,
  stepMatch,
  type Cell,
  type CycleState,
  type Direction,
  type InputLogEntry,
  type MatchConfig,
  type MatchState,
  type Seat,
  type SeatSetup,
  type TickDelta,
  type TickInput,
} from "../../src/index";

/** A valid config: `seats` seats 0..n-1, the given overrides. */
export function configWith(overrides: Partial<MatchConfig> & { seatCount?: number } = {}): MatchConfig {
  const { seatCount = 2, ...rest } = overrides;
  return {
    seed: 7,
    width: 20,
    height: 16,
    roundsToWin: 3,
    tickHz: 10,
    seats: Array.from({ length: seatCount }, (_, seat): SeatSetup => ({ seat, kind: "human" })),
    ...rest,
  };
}

export interface CyclePlacement {
  seat: Seat;
  head: Cell;
  dir: Direction;
  /** The trail's corners; by default the cycle just spawned at `head`. */
  corners?: Cell[];
  alive?: boolean;
}

/** A match in "playing" with cycles exactly where a test wants them (states are plain data). */
export function playingState(placements: CyclePlacement[], overrides: Partial<MatchConfig> = {}): MatchState {
  const config = configWith({ seatCount: placements.length, ...overrides });
  const base = createMatch(config);
  const cycles = placements.map(
    (p): CycleState => ({ seat: p.seat, alive: p.alive ?? true, left: false, dir: p.dir, head: p.head, corners: p.corners ?? [p.head] }),
  );
  return { ...base, phase: "playing", phaseTicksLeft: 0, cycles };
}

export const turn = (seat: Seat, dir: Direction): TickInput => ({ seat, action: { type: "turn", dir } });
export const leave = (seat: Seat): TickInput => ({ seat, action: { type: "leave" } });

/** Steps `state` n times with no inputs. */
export function idle(state: MatchState, ticks: number): MatchState {
  let s = state;
  for (let i = 0; i < ticks; i++) s = stepMatch(s, []).state;
  return s;
}

/** Steps until the phase is `phase` (or `limit` ticks pass). */
export function stepUntil(state: MatchState, done: (s: MatchState) => boolean, limit = 100_000): MatchState {
  let s = state;
  for (let i = 0; i < limit && !done(s); i++) s = stepMatch(s, []).state;
  return s;
}

export interface PlayedGame {
  states: MatchState[];
  deltas: TickDelta[];
  log: InputLogEntry[];
}

/**
 * Plays a game the way the service does: every seat's input comes from `inputsAt`
 * (bots by default), the deltas and the input log are recorded.
 */
export function playGame(
  config: MatchConfig,
  inputsAt: (state: MatchState) => TickInput[] = botInputs,
  maxTicks = Number.POSITIVE_INFINITY,
): PlayedGame {
  let state = createMatch(config);
  const played: PlayedGame = { states: [state], deltas: [], log: [] };
  while (state.phase !== "gameOver" && state.tick < maxTicks) {
    const { state: next, delta } = stepMatch(state, inputsAt(state));
    played.states.push(next);
    played.deltas.push(delta);
    played.log.push(...logEntriesOf(delta));
    state = next;
  }
  return played;
}

export function botInputs(state: MatchState): TickInput[] {
  const inputs: TickInput[] = [];
  for (const cycle of state.cycles) {
    const action = botAction(state, cycle.seat);
    if (action !== null) inputs.push({ seat: cycle.seat, action });
  }
  return inputs;
}

export function cycleOf(state: MatchState, seat: Seat): CycleState {
  const cycle = state.cycles.find((c) => c.seat === seat);
  if (cycle === undefined) throw new Error(`no cycle for seat ${seat}`);
  return cycle;
}
