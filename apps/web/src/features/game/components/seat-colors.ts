// One colour per seat, the same on the board, the scoreboard and the lobby. Chosen to stay apart
// from each other on the dark board (and from the faint grid).
import type { Seat } from "@repo/game";

const COLORS = ["#22d3ee", "#f472b6", "#a3e635", "#fbbf24", "#a78bfa", "#f97316", "#60a5fa", "#6ee7b7"] as const;

export function seatColor(seat: Seat): string {
  return COLORS[seat % COLORS.length] ?? COLORS[0];
}
