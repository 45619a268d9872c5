import type { User } from "@repo/protocol";

/** A seated player invited a user to a waiting game. Emitted after the checks (the game exists, the user exists). */
export interface GameInvited {
  gameId: string;
  /** Who is invited. */
  userId: string;
  /** Who invites. */
  from: User;
}

/** What the game tells the other features. */
export interface GameFeatureEvents {
  "game.invited": GameInvited;
}

declare module "../feature-events" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging adds the game's events
  interface FeatureEventMap extends GameFeatureEvents {}
}
