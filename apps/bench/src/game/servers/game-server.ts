import type { LatenessHistogram } from "../lateness";

/** Games a server holds, by status. */
export interface GameCounts {
  waiting: number;
  playing: number;
  finished: number;
}

/** A game server under test, as the server process drives it: Switchboard or the bare baseline. */
export interface GameServerHandle {
  /** Base URL (http://127.0.0.1:port). */
  url: string;
  /** The tick-lateness histogram since the start (cumulative). */
  lateness(): Promise<LatenessHistogram>;
  games(): Promise<GameCounts>;
  close(): Promise<void>;
}

export type GameServerKind = "switchboard" | "bare-socketio";
