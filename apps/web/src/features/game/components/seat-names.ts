// What a seat is called on the page: its player's name, or "Bot <n>" (names are plain text:
// React escapes them, and the canvas draws text, never markup).
import type { Seat } from "@repo/game";
import type { GamePlayer, GameSeat } from "@repo/protocol";

export type SeatNames = ReadonlyMap<Seat, string>;

export function seatLabel(seat: Pick<GameSeat, "seat" | "user">): string {
  return seat.user?.name ?? `Bot ${seat.seat + 1}`;
}

export function seatNamesOf(seats: readonly Pick<GameSeat | GamePlayer, "seat" | "user">[]): SeatNames {
  return new Map(seats.map((seat) => [seat.seat, seatLabel(seat)]));
}
