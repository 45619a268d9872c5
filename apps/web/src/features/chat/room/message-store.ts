// The messages of one room, keyed by id and kept in display order (createdAt, then id),
// plus the messages this tab is still sending, keyed by command id. Plain TypeScript (no
// React), so the merge rules are easy to test.
import type { ChatMessage, ErrorCode } from "@repo/protocol";

/** Why a send did not go through: a typed refusal's code, or how the connection failed. */
export interface SendFailure {
  code: ErrorCode | "network" | "timeout" | "closed";
  message: string;
  /** `rate_limited`: when (ms since the Unix epoch) a retry may succeed. */
  retryAt?: number;
}

/** A message typed here and not yet confirmed by the server. */
export interface PendingMessage {
  /** The command id: reused for every retry, so the server posts it once. */
  readonly commandId: string;
  readonly text: string;
  /** Local clock, ms. */
  readonly createdAt: number;
  readonly state: "sending" | "failed";
  readonly failure?: SendFailure;
  /**
   * The id of a `message.created` event (by me, same text) that arrived before the send's
   * answer: that message is shown, this entry is hidden until the answer settles it.
   */
  readonly matchedId?: string;
  /** Automatic resends after connection failures so far. */
  readonly autoRetries: number;
}

export type ListItem = ChatMessage | PendingMessage;

export function isPending(item: ListItem): item is PendingMessage {
  return "commandId" in item;
}

export function itemKey(item: ListItem): string {
  return isPending(item) ? `pending:${item.commandId}` : item.id;
}

/** Display order: createdAt, then id (UUID v7 ids also sort by time). */
export function compareMessages(a: ChatMessage, b: ChatMessage): number {
  const byTime = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Which copy of one message to keep when two meet (a page and an event): the deleted one,
 * else the one edited later. On a tie the copy already held stays (so nothing re-renders).
 */
export function newerCopy(held: ChatMessage, incoming: ChatMessage): ChatMessage {
  if (held.deletedAt) return held;
  if (incoming.deletedAt) return incoming;
  const heldEdit = held.editedAt ? Date.parse(held.editedAt) : -Infinity;
  const incomingEdit = incoming.editedAt ? Date.parse(incoming.editedAt) : -Infinity;
  return incomingEdit > heldEdit ? incoming : held;
}

export class MessageStore {
  private readonly byId = new Map<string, ChatMessage>();
  /** Confirmed messages in display order. */
  private ordered: ChatMessage[] = [];
  /** Messages being sent, in the order they were typed. */
  private readonly pending = new Map<string, PendingMessage>();
  private itemsCache: ListItem[] | null = null;

  get size(): number {
    return this.ordered.length;
  }

  get(id: string): ChatMessage | undefined {
    return this.byId.get(id);
  }

  oldest(): ChatMessage | undefined {
    return this.ordered[0];
  }

  newest(): ChatMessage | undefined {
    return this.ordered.at(-1);
  }

  /** Adds a message or merges a copy of one already held. Returns whether anything changed. */
  upsert(message: ChatMessage): boolean {
    const held = this.byId.get(message.id);
    if (held) {
      const kept = newerCopy(held, message);
      if (kept === held) return false;
      this.byId.set(message.id, kept);
      this.ordered[this.indexOf(held)] = kept;
    } else {
      this.byId.set(message.id, message);
      this.ordered.splice(this.insertionIndex(message), 0, message);
    }
    this.itemsCache = null;
    return true;
  }

  upsertMany(messages: readonly ChatMessage[]): boolean {
    let changed = false;
    for (const message of messages) changed = this.upsert(message) || changed;
    return changed;
  }

  /** Turns a held message into a tombstone (empty text, `deletedAt` set). Unknown ids are ignored. */
  markDeleted(id: string, deletedAt: string): boolean {
    const held = this.byId.get(id);
    if (!held || held.deletedAt) return false;
    return this.upsert({ ...held, text: "", deletedAt });
  }

  /** Drops every confirmed message and holds these instead (pending ones stay). */
  replaceAll(messages: readonly ChatMessage[]): void {
    this.byId.clear();
    this.ordered = [];
    this.itemsCache = null;
    this.upsertMany(messages);
  }

  // ---- pending messages ------------------------------------------------------------------

  addPending(commandId: string, text: string, now: number): PendingMessage {
    const entry: PendingMessage = { commandId, text, createdAt: now, state: "sending", autoRetries: 0 };
    this.pending.set(commandId, entry);
    this.itemsCache = null;
    return entry;
  }

  getPending(commandId: string): PendingMessage | undefined {
    return this.pending.get(commandId);
  }

  pendingMessages(): PendingMessage[] {
    return [...this.pending.values()];
  }

  updatePending(commandId: string, patch: Partial<Omit<PendingMessage, "commandId" | "text" | "createdAt">>): boolean {
    const entry = this.pending.get(commandId);
    if (!entry) return false;
    this.pending.set(commandId, { ...entry, ...patch });
    this.itemsCache = null;
    return true;
  }

  removePending(commandId: string): boolean {
    if (!this.pending.delete(commandId)) return false;
    this.itemsCache = null;
    return true;
  }

  /**
   * A `message.created` event may arrive before the answer to my own send (WebSocket
   * pushes it first). The event carries no command id, so the first unmatched pending
   * message with the same author and text stands for it until the answer arrives.
   */
  matchCreated(message: ChatMessage, myId: string): void {
    if (message.author.id !== myId) return;
    for (const entry of this.pending.values()) {
      if (entry.matchedId === message.id) return;
    }
    for (const entry of this.pending.values()) {
      if (entry.state === "sending" && entry.matchedId === undefined && entry.text === message.text) {
        this.updatePending(entry.commandId, { matchedId: message.id });
        return;
      }
    }
  }

  /** Confirmed messages in order, then the pending ones that are not stood for by a confirmed copy. */
  items(): ListItem[] {
    if (this.itemsCache) return this.itemsCache;
    const shown: ListItem[] = [...this.ordered];
    for (const entry of this.pending.values()) {
      if (entry.matchedId === undefined || !this.byId.has(entry.matchedId)) shown.push(entry);
    }
    this.itemsCache = shown;
    return shown;
  }

  // ---- ordering --------------------------------------------------------------------------

  private insertionIndex(message: ChatMessage): number {
    const last = this.ordered.at(-1);
    if (!last || compareMessages(last, message) < 0) return this.ordered.length; // the usual case: newest
    let low = 0;
    let high = this.ordered.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareMessages(this.ordered[mid]!, message) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private indexOf(message: ChatMessage): number {
    const at = this.insertionIndex(message);
    if (this.ordered[at]?.id === message.id) return at;
    return this.ordered.findIndex((m) => m.id === message.id);
  }
}
