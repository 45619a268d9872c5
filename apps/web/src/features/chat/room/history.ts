// The room's confirmed messages as history pages: the latest page at entry, older pages as
// the reader scrolls up, and the latest page again after a reset.
import { CHAT_LIMITS, ChatHistoryResponse, chatPaths, type ChatMessage } from "@repo/protocol";
import { failureMessage, getJson, type ApiResult } from "@/lib/realtime";
import { compareMessages, type MessageStore } from "./message-store";
import type { RoomContext } from "./room-context";

export class RoomHistory {
  /** Older messages exist on the server. */
  hasMore = false;
  loadingOlder = false;
  olderError: string | null = null;

  private refreshing = false;
  private refreshAgain = false;

  constructor(
    private readonly context: RoomContext,
    private readonly store: MessageStore,
  ) {}

  /** A confirmed message (from an event or a command's answer): added, or merged by id. */
  upsert(message: ChatMessage): void {
    this.store.upsert(message);
  }

  markDeleted(messageId: string, deletedAt: string): void {
    this.store.markDeleted(messageId, deletedAt);
  }

  /** Entry: loads and merges the latest page. Null when the room stopped meanwhile. */
  async open(generation: number): Promise<ApiResult<ChatHistoryResponse> | null> {
    const page = await this.latest();
    if (!this.context.live(generation)) return null;
    if (page.ok) this.mergeLatest(page.value.messages, page.value.hasMore);
    return page;
  }

  /**
   * After a reset (the server could not resume from our cursor, e.g. it restarted): the
   * subscription carries on from the new position; refetch the latest page. What we held
   * before is dropped, not merged: edits and deletes of older messages made during the gap
   * never reached us, so they would stay stale (the reader pages back instead).
   */
  async resync(generation: number): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true; // another reset while one refetch is out: refetch once more after it
      return;
    }
    this.refreshing = true;
    try {
      do {
        this.refreshAgain = false;
        const page = await this.latest();
        if (!this.context.live(generation)) return;
        if (page.ok) {
          this.store.replaceAll(page.value.messages);
          this.hasMore = page.value.hasMore;
          this.context.changed();
        }
      } while (this.refreshAgain);
    } finally {
      this.refreshing = false;
    }
  }

  /** Loads the page before the oldest message held. */
  loadOlder(): void {
    const oldest = this.store.oldest();
    if (this.loadingOlder || !this.hasMore || !oldest) return;
    const generation = this.context.generation();
    this.loadingOlder = true;
    this.olderError = null;
    this.context.changed();
    const path = `${chatPaths.messages(this.context.roomId)}?before=${encodeURIComponent(oldest.id)}&limit=${CHAT_LIMITS.historyPageDefault}`;
    void getJson(path, ChatHistoryResponse).then((page) => {
      if (!this.context.live(generation)) return;
      this.loadingOlder = false;
      if (page.ok) {
        this.store.upsertMany(page.value.messages);
        this.hasMore = page.value.hasMore;
      } else {
        this.olderError = failureMessage(page);
      }
      this.context.changed();
    });
  }

  private latest(): Promise<ApiResult<ChatHistoryResponse>> {
    return getJson(`${chatPaths.messages(this.context.roomId)}?limit=${CHAT_LIMITS.historyPageDefault}`, ChatHistoryResponse);
  }

  /**
   * Merges the latest page. When it does not reach back to what we hold (more was missed than
   * a page), what we hold is replaced, so the list never shows a silent gap.
   */
  private mergeLatest(messages: readonly ChatMessage[], hasMore: boolean): void {
    const first = messages[0];
    const oldest = this.store.oldest();
    const newest = this.store.newest();
    const contiguous = !first || !newest || !hasMore || compareMessages(first, newest) <= 0;
    if (contiguous) {
      // The page reaches back past everything held: its hasMore is the list's.
      const coversAll = !oldest || !first || compareMessages(first, oldest) <= 0;
      this.store.upsertMany(messages);
      if (coversAll) this.hasMore = hasMore;
    } else {
      this.store.replaceAll(messages);
      this.hasMore = hasMore;
    }
  }
}
