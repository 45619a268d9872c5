// The room's confirmed messages as history pages: the latest page at entry, older pages as
// the reader scrolls up, and a fresh start after a reset. Every confirmed message reaches the
// store through here, so a page that replaces the list can replay what arrived while it was out.
import { failureText } from "@repo/client";
import { CHAT_LIMITS, ChatHistoryResponse, chatPaths, type ChatMessage } from "@repo/protocol";
import type { MessageStore } from "./message-store";
import type { RoomContext } from "./room-context";

/** After a failed refetch on reset, try again after these delays (the last one repeats). */
const RESYNC_RETRY_MS = [1000, 2000, 5000, 10_000] as const;

type Replay = (store: MessageStore) => void;

export class RoomHistory {
  /** Older messages exist on the server. */
  hasMore = false;
  loadingOlder = false;
  olderError: string | null = null;

  /** Bumped when the list is about to be replaced: an older page asked for before is dropped. */
  private replacements = 0;
  /** Per replacing page under way: what reached the store meanwhile (replayed on top of its answer). */
  private readonly replays = new Set<Replay[]>();
  private resyncing = false;
  private resyncAgain = false;

  constructor(
    private readonly context: RoomContext,
    private readonly store: MessageStore,
  ) {}

  /** A message posted (from an event or my send's answer): added, or merged by id. */
  upsert(message: ChatMessage): void {
    this.store.upsert(message);
    this.journal((store) => store.upsert(message));
  }

  /**
   * A message edited: merged when held. One not held is left out (added, it would sit apart
   * from the pages held, across a gap); its page brings it, edited, when the reader pages back.
   */
  applyEdit(message: ChatMessage): void {
    const mergeIfHeld: Replay = (store) => {
      if (store.get(message.id)) store.upsert(message);
    };
    mergeIfHeld(this.store);
    this.journal(mergeIfHeld);
  }

  markDeleted(messageId: string, deletedAt: string): void {
    this.store.markDeleted(messageId, deletedAt);
    this.journal((store) => store.markDeleted(messageId, deletedAt));
  }

  /**
   * Entry: the latest page replaces what is held (a previous run of this room may have missed
   * edits and deletes). Null when the room stopped meanwhile; rejects as the SDK does.
   */
  open(generation: number): Promise<ChatHistoryResponse | null> {
    return this.replaceWithLatest(generation);
  }

  /**
   * After a reset (the server could not resume from our cursor: it restarted, or the gap is
   * past its retention): edits and deletes made during the gap never reached us, for any
   * message held, so every page held is dropped and the latest page refetched (the reader
   * pages back from there). The subscription carries on from its new position meanwhile.
   * A failed refetch is tried again shortly, so stale messages do not stay.
   */
  resync(generation: number): void {
    if (this.resyncing) {
      this.resyncAgain = true; // another reset while one refetch is out: refetch once more after it
      return;
    }
    this.resyncing = true;
    void this.refetchUntilDone(generation);
  }

  private async refetchUntilDone(generation: number): Promise<void> {
    for (let failures = 0; ; ) {
      this.resyncAgain = false;
      try {
        const page = await this.replaceWithLatest(generation);
        if (!page) return; // stopped: stop() cleared the flags
        if (this.resyncAgain) continue;
        this.resyncing = false;
        return;
      } catch {
        // Tried again below: the list stays as it is meanwhile.
      }
      const delay = RESYNC_RETRY_MS[Math.min(failures++, RESYNC_RETRY_MS.length - 1)]!;
      // A timer of the room's: if the room stops first, it never fires and this run ends here.
      await new Promise<void>((resolve) => this.context.later(delay, resolve));
    }
  }

  /** Loads the page before the oldest message held (not while the list is due to be replaced). */
  loadOlder(): void {
    const oldest = this.store.oldest();
    if (this.loadingOlder || !this.hasMore || this.resyncing || this.replays.size > 0 || !oldest) return;
    const generation = this.context.generation();
    const replacements = this.replacements;
    this.loadingOlder = true;
    this.olderError = null;
    this.context.changed();
    const path = `${chatPaths.messages(this.context.roomId)}?before=${encodeURIComponent(oldest.id)}&limit=${CHAT_LIMITS.historyPageDefault}`;
    // From before a reset (or another run), an answer would join the list across the gap.
    const current = () => this.context.live(generation) && replacements === this.replacements;
    this.context.client.get(path, ChatHistoryResponse).then(
      (page) => {
        if (!current()) return;
        this.loadingOlder = false;
        this.store.upsertMany(page.messages);
        this.hasMore = page.hasMore;
        this.context.changed();
      },
      (error: unknown) => {
        if (!current()) return;
        this.loadingOlder = false;
        this.olderError = failureText(error);
        this.context.changed();
      },
    );
  }

  /** The room stopped: answers still out are ignored (by generation), so nothing is under way. */
  stop(): void {
    this.resyncing = false;
    this.resyncAgain = false;
    this.loadingOlder = false;
    this.replays.clear();
  }

  /** The latest page, now the list; null when the room stopped meanwhile. Rejects when it could not be read. */
  private async replaceWithLatest(generation: number): Promise<ChatHistoryResponse | null> {
    this.replacements++;
    if (this.loadingOlder || this.olderError) {
      this.loadingOlder = false; // its answer will be dropped
      this.olderError = null;
      this.context.changed();
    }
    const replay: Replay[] = [];
    this.replays.add(replay);
    const path = `${chatPaths.messages(this.context.roomId)}?limit=${CHAT_LIMITS.historyPageDefault}`;
    let page: ChatHistoryResponse;
    try {
      page = await this.context.client.get(path, ChatHistoryResponse);
    } catch (error) {
      if (!this.context.live(generation)) return null;
      throw error;
    } finally {
      this.replays.delete(replay);
    }
    if (!this.context.live(generation)) return null;
    // Pending messages stay; what arrived while the page was out may be newer than it.
    this.store.replaceAll(page.messages);
    for (const apply of replay) apply(this.store);
    this.hasMore = page.hasMore;
    this.context.changed();
    return page;
  }

  private journal(apply: Replay): void {
    for (const replay of this.replays) replay.push(apply);
  }
}
