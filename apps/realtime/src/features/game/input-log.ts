import { GAME_LIMITS, type Direction, type InputLogEntry } from "@repo/game";

/*
 * A running game's input log, one number per applied input: the tick times
 * 64, plus the seat times 8, plus the action (0 leave, 1–4 a turn). A game
 * may log a turn per seat per tick for maxGameTicks ticks; as objects that
 * would be tens of megabytes per game, as numbers it is at most a few.
 */
const TURNS: readonly Direction[] = ["up", "down", "left", "right"];

export class InputLog {
  private readonly packed: number[];

  /** A log that goes on from `packed` (what `InputLog.pack` made: a snapshot's log, on a takeover). */
  constructor(packed: readonly number[] = []) {
    this.packed = [...packed];
  }

  /** Entries as the log's numbers. */
  static pack(entries: readonly InputLogEntry[]): number[] {
    return entries.map(({ tick, seat, action }) => tick * 64 + seat * 8 + (action.type === "leave" ? 0 : TURNS.indexOf(action.dir) + 1));
  }

  get length(): number {
    return this.packed.length;
  }

  push(entries: readonly InputLogEntry[]) {
    this.packed.push(...InputLog.pack(entries));
  }

  /** The log as the replay's entries, in tick order. */
  entries(): InputLogEntry[] {
    return this.packed.map((value) => {
      const code = value % 8;
      const seat = Math.floor(value / 8) % GAME_LIMITS.maxSeats;
      const tick = Math.floor(value / 64);
      const dir = TURNS[code - 1];
      return { tick, seat, action: dir === undefined ? { type: "leave" } : { type: "turn", dir } };
    });
  }
}
