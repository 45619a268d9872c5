// The lobby, live: GET /v1/games (every game the service holds and the lobby topic's position),
// then game:lobby from that position (`lobby.updated`, `lobby.removed`); a reset refetches. The
// leaderboard is read with it and again whenever a game in the lobby finishes.
// Framework-free; React reads it through `subscribe` / `getSnapshot` (useSyncExternalStore).
import { failureText, type RealtimeClient } from "@repo/client";
import {
  GAME_EVENTS,
  GAME_LOBBY_TOPIC,
  GameEvent,
  GameLobbyResponse,
  LeaderboardResponse,
  gamePaths,
  type EventEnvelope,
  type GameSummary,
  type LeaderboardEntry,
} from "@repo/protocol";
import { LiveStore } from "@/lib/live-store";

export type LobbyPhase = "loading" | "ready" | "error";

export interface LobbySnapshot {
  phase: LobbyPhase;
  error: string | null;
  /** Waiting games first, then playing, then finished; oldest first within each. */
  games: readonly GameSummary[];
  leaderboard: readonly LeaderboardEntry[] | null;
  leaderboardError: string | null;
}

const STATUS_ORDER: Record<GameSummary["status"], number> = { waiting: 0, playing: 1, finished: 2 };
/** After a game finished, read the leaderboard again this much later (several may finish together). */
const LEADERBOARD_SETTLE_MS = 500;

export class LobbyStore extends LiveStore<LobbySnapshot> {
  private phase: LobbyPhase = "loading";
  private error: string | null = null;
  private readonly games = new Map<string, GameSummary>();
  private leaderboard: LeaderboardEntry[] | null = null;
  private leaderboardError: string | null = null;

  private unsubscribe: (() => void) | null = null;
  private leaderboardTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped by every lobby read: an older answer is dropped. */
  private reads = 0;

  constructor(private readonly client: RealtimeClient) {
    super();
  }

  protected snapshotNow(): LobbySnapshot {
    return {
      phase: this.phase,
      error: this.error,
      games: [...this.games.values()].sort(
        (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0),
      ),
      leaderboard: this.leaderboard,
      leaderboardError: this.leaderboardError,
    };
  }

  protected release(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.leaderboardTimer) clearTimeout(this.leaderboardTimer);
    this.leaderboardTimer = null;
  }

  protected async open(generation: number): Promise<void> {
    this.phase = "loading";
    this.error = null;
    this.changed();
    void this.readLeaderboard(generation);
    let page: GameLobbyResponse;
    try {
      page = await this.client.get(gamePaths.lobby, GameLobbyResponse);
    } catch (error) {
      if (this.live(generation)) this.fail(failureText(error));
      return;
    }
    if (!this.live(generation)) return;
    this.takePage(page);
    this.unsubscribe = this.client.subscribe(GAME_LOBBY_TOPIC, (envelope) => this.onEnvelope(envelope, generation), {
      cursor: page.position,
      onReset: () => void this.reread(generation),
      onError: (error) => {
        if (!this.live(generation)) return;
        this.unsubscribe = null;
        this.fail(failureText(error));
      },
    });
    this.phase = "ready";
    this.changed();
  }

  private fail(message: string): void {
    this.phase = "error";
    this.error = message;
    this.changed();
  }

  private takePage(page: GameLobbyResponse): void {
    this.reads++;
    this.games.clear();
    for (const game of page.games) this.games.set(game.id, game);
  }

  /**
   * After a reset: the list again. Events keep arriving meanwhile and are applied at once; the
   * page then replaces the list (a game changed in between shows its state as of the page
   * until its next event: the lobby is a directory, not a log).
   */
  private async reread(generation: number): Promise<void> {
    const read = ++this.reads;
    try {
      const page = await this.client.get(gamePaths.lobby, GameLobbyResponse);
      if (!this.live(generation) || read !== this.reads) return;
      this.takePage(page);
      this.changed();
    } catch {
      // The lobby as held stays; its events still arrive.
    }
  }

  private onEnvelope(envelope: EventEnvelope, generation: number): void {
    const parsed = GameEvent.safeParse({ type: envelope.type, payload: envelope.payload });
    if (!parsed.success) return;
    const event = parsed.data;
    switch (event.type) {
      case GAME_EVENTS.lobbyUpdated: {
        const before = this.games.get(event.payload.game.id);
        this.games.set(event.payload.game.id, event.payload.game);
        if (event.payload.game.status === "finished" && before?.status !== "finished") this.leaderboardSoon(generation);
        break;
      }
      case GAME_EVENTS.lobbyRemoved:
        this.games.delete(event.payload.gameId);
        break;
      case GAME_EVENTS.seats:
      case GAME_EVENTS.snapshot:
      case GAME_EVENTS.tick:
      case GAME_EVENTS.over:
        return; // a game's own, not the lobby's
      default: {
        const unhandled: never = event;
        return unhandled;
      }
    }
    this.changed();
  }

  private leaderboardSoon(generation: number): void {
    if (this.leaderboardTimer) return;
    this.leaderboardTimer = setTimeout(() => {
      this.leaderboardTimer = null;
      void this.readLeaderboard(generation);
    }, LEADERBOARD_SETTLE_MS);
  }

  private async readLeaderboard(generation: number): Promise<void> {
    try {
      const { entries } = await this.client.get(gamePaths.leaderboard, LeaderboardResponse);
      if (!this.live(generation)) return;
      this.leaderboard = entries;
      this.leaderboardError = null;
    } catch (error) {
      if (!this.live(generation)) return;
      this.leaderboardError = failureText(error);
    }
    this.changed();
  }
}
