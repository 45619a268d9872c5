// One room, live: joins it, loads the latest history page, follows `chat:<roomId>` from that
// page's position, and applies events, typing signals and presence. Sends with optimistic
// display (pending → sent, or failed with a retry that reuses the command id). Framework-free;
// React reads it through `subscribe` / `getSnapshot` (useSyncExternalStore).
import { ConnectionError, ProtocolError, createCommandId, type RealtimeClient, type ClientStatus } from "@repo/client";
import {
  CHAT_EVENTS,
  CHAT_LIMITS,
  CHAT_SIGNALS,
  ChatEvent,
  ChatHistoryResponse,
  ChatPresenceResponse,
  TypingSignal,
  chatPaths,
  chatTopic,
  type ChatMessage,
  type ChatRoom,
  type EventEnvelope,
  type RoomId,
  type Signal,
  type User,
} from "@repo/protocol";
import { MessageStore, compareMessages, type ListItem, type SendFailure } from "./message-store";
import { failureMessage, getJson } from "@/lib/realtime";

/** How long "Ada is typing…" stays after her last typing signal. */
export const TYPING_VISIBLE_MS = 3000;
/** Automatic resends of a message whose send lost the connection (then it waits for Retry). */
const MAX_AUTO_RETRIES = 5;
/** When the connection still looks open after a send lost it, try again after this long. */
const AUTO_RETRY_DELAY_MS = 3000;
/** Typing commands at most this often: the server's throttle plus a margin for network jitter. */
const TYPING_SEND_INTERVAL_MS = CHAT_LIMITS.typingThrottleMs + 150;

export type RoomPhase = "joining" | "loading" | "ready" | "error";

export interface RoomSnapshot {
  readonly roomId: RoomId;
  readonly phase: RoomPhase;
  /** Why the room could not be opened (phase "error"). */
  readonly error: string | null;
  /** The room as the join answered (name, member count). */
  readonly room: ChatRoom | null;
  readonly items: readonly ListItem[];
  /** Older messages exist on the server. */
  readonly hasMore: boolean;
  readonly loadingOlder: boolean;
  readonly olderError: string | null;
  /** Who is reading the room now (me included once I am in), by name. */
  readonly presence: readonly User[];
  /** Who else is typing now. */
  readonly typing: readonly User[];
  /** Sends are refused for being too fast until then (ms since the Unix epoch), or null. */
  readonly rateLimitedUntil: number | null;
}

export type ActionResult = { ok: true } | { ok: false; message: string };

function describeFailure(error: unknown, now: number): SendFailure {
  if (error instanceof ProtocolError) {
    if (error.code === "rate_limited") {
      const seconds = Math.max(1, Math.ceil(error.retryAfter ?? 1));
      return { code: error.code, message: `Slow down: you can send again in ${seconds} s.`, retryAt: now + seconds * 1000 };
    }
    const issue = error.issues?.[0]?.message;
    return { code: error.code, message: issue ?? error.message };
  }
  if (error instanceof ConnectionError) {
    return { code: error.code, message: error.code === "closed" ? "The connection is closed." : "No connection to the service." };
  }
  return { code: "internal", message: error instanceof Error ? error.message : "Something went wrong." };
}

function errorText(error: unknown): string {
  if (error instanceof ProtocolError) return error.issues?.[0]?.message ?? error.message;
  if (error instanceof ConnectionError) return "No connection to the realtime service. Try again.";
  return error instanceof Error ? error.message : "Something went wrong.";
}

const CONNECTION_CODES = new Set<SendFailure["code"]>(["network", "timeout"]);

export class ChatRoomController {
  private readonly store = new MessageStore();
  private readonly listeners = new Set<() => void>();
  private snapshot: RoomSnapshot | null = null;

  private phase: RoomPhase = "joining";
  private error: string | null = null;
  private room: ChatRoom | null = null;
  private hasMore = false;
  private loadingOlder = false;
  private olderError: string | null = null;
  private rateLimitedUntil: number | null = null;
  private readonly present = new Map<string, User>();
  private readonly typingUntil = new Map<string, { user: User; until: number }>();

  /** Per presence fetch under way: the presence events received meanwhile (replayed on top of its answer). */
  private readonly presenceReplays = new Set<Array<{ user: User; present: boolean }>>();
  private running = false;
  /** Bumped by start/stop: async work from an older run is ignored. */
  private generation = 0;
  private unsubscribeTopic: (() => void) | null = null;
  private offStatus: (() => void) | null = null;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private typingTimer: ReturnType<typeof setTimeout> | null = null;
  private lastTypingSent = -Infinity;
  private trailingTyping: ReturnType<typeof setTimeout> | null = null;
  private refreshing = false;
  private refreshAgain = false;

  constructor(
    private readonly client: RealtimeClient,
    readonly roomId: RoomId,
    private readonly me: User,
    private readonly now: () => number = Date.now,
  ) {}

  // ---- React binding ---------------------------------------------------------------------

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  getSnapshot = (): RoomSnapshot => {
    this.snapshot ??= {
      roomId: this.roomId,
      phase: this.phase,
      error: this.error,
      room: this.room,
      items: this.store.items(),
      hasMore: this.hasMore,
      loadingOlder: this.loadingOlder,
      olderError: this.olderError,
      presence: this.presenceList(),
      typing: this.typingList(),
      rateLimitedUntil: this.rateLimitedUntil,
    };
    return this.snapshot;
  };

  private changed(): void {
    this.snapshot = null;
    for (const listener of [...this.listeners]) listener();
  }

  // ---- lifecycle -------------------------------------------------------------------------

  /** Joins the room, loads the latest page and follows the topic. Safe to call again after stop(). */
  start = (): void => {
    if (this.running) return;
    this.running = true;
    const generation = ++this.generation;
    this.offStatus = this.client.on("status", (status) => this.onStatus(status));
    void this.enter(generation);
  };

  stop = (): void => {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    this.unsubscribeTopic?.();
    this.unsubscribeTopic = null;
    this.offStatus?.();
    this.offStatus = null;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = null;
    this.cancelTyping();
  };

  /** After an entry error: try joining again. */
  retryEntry = (): void => {
    this.stop();
    this.start();
  };

  private live(generation: number): boolean {
    return this.running && generation === this.generation;
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  private async enter(generation: number): Promise<void> {
    this.phase = "joining";
    this.error = null;
    this.changed();
    try {
      const { room } = await this.client.send({ type: "chat.join", payload: { roomId: this.roomId } });
      if (!this.live(generation)) return;
      this.room = room;
    } catch (error) {
      if (!this.live(generation)) return;
      this.fail(errorText(error));
      return;
    }

    this.phase = "loading";
    this.changed();
    const page = await getJson(`${chatPaths.messages(this.roomId)}?limit=${CHAT_LIMITS.historyPageDefault}`, ChatHistoryResponse);
    if (!this.live(generation)) return;
    if (!page.ok) {
      this.fail(failureMessage(page));
      return;
    }
    this.mergeLatest(page.value.messages, page.value.hasMore);
    // Follow the topic from where the page was read: every later change arrives as an event
    // (a message may be in the page and in an event too: the store merges by id).
    this.unsubscribeTopic = this.client.subscribe(this.topic, (event) => this.onEvent(event), {
      cursor: page.value.position,
      onReset: () => void this.refresh(generation),
      onError: (error) => {
        if (!this.live(generation)) return;
        this.unsubscribeTopic = null;
        this.fail(errorText(error));
      },
      onSignal: (signal) => this.onSignal(signal),
    });
    this.phase = "ready";
    this.changed();
    void this.loadPresence(generation);
  }

  private fail(message: string): void {
    this.phase = "error";
    this.error = message;
    this.changed();
  }

  private get topic() {
    return chatTopic(this.roomId);
  }

  /**
   * After a reset (the server could not resume from our cursor, e.g. it restarted): the
   * subscription carries on from the new position; refetch the latest page and presence.
   * What we held before is dropped, not merged: edits and deletes of older messages made
   * during the gap never reached us, so they would stay stale (the reader pages back instead).
   */
  private async refresh(generation: number): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true; // another reset while one refetch is out: refetch once more after it
      return;
    }
    this.refreshing = true;
    try {
      do {
        this.refreshAgain = false;
        const page = await getJson(`${chatPaths.messages(this.roomId)}?limit=${CHAT_LIMITS.historyPageDefault}`, ChatHistoryResponse);
        if (!this.live(generation)) return;
        if (page.ok) {
          this.store.replaceAll(page.value.messages);
          this.hasMore = page.value.hasMore;
          this.changed();
        }
      } while (this.refreshAgain);
    } finally {
      this.refreshing = false;
    }
    void this.loadPresence(generation);
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

  private async loadPresence(generation: number): Promise<void> {
    const replay: Array<{ user: User; present: boolean }> = [];
    this.presenceReplays.add(replay);
    const answer = await getJson(chatPaths.presence(this.roomId), ChatPresenceResponse);
    this.presenceReplays.delete(replay);
    if (!this.live(generation)) return;
    if (!answer.ok) return; // events keep the list going; the next reset refetches
    this.present.clear();
    for (const user of answer.value.users) this.present.set(user.id, user);
    // Events that arrived while the request was out may be newer than its answer.
    for (const change of replay) this.applyPresence(change.user, change.present);
    this.changed();
  }

  private applyPresence(user: User, present: boolean): void {
    if (present) this.present.set(user.id, user);
    else this.present.delete(user.id);
  }

  private presenceList(): User[] {
    const users = new Map(this.present);
    // Reading the room right now: I am present, whatever the server's list says yet.
    if (this.phase === "ready") users.set(this.me.id, this.me);
    return [...users.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  private typingList(): User[] {
    const now = this.now();
    return [...this.typingUntil.values()].filter((entry) => entry.until > now).map((entry) => entry.user);
  }

  private onStatus(status: ClientStatus): void {
    if (status === "open") this.resendAfterConnectionLoss();
  }

  // ---- what the topic delivers -----------------------------------------------------------

  private onEvent(envelope: EventEnvelope): void {
    const parsed = ChatEvent.safeParse({ type: envelope.type, payload: envelope.payload });
    if (!parsed.success) return;
    const event = parsed.data;
    switch (event.type) {
      case CHAT_EVENTS.messageCreated:
        // Only this room's messages: another room's, however it got onto this topic, is not ours to show.
        if (event.payload.message.roomId !== this.roomId) return;
        this.store.matchCreated(event.payload.message, this.me.id);
        this.store.upsert(event.payload.message);
        // Whoever just posted has stopped typing.
        this.typingUntil.delete(event.payload.message.author.id);
        break;
      case CHAT_EVENTS.messageEdited:
        this.store.upsert(event.payload.message);
        break;
      case CHAT_EVENTS.messageDeleted:
        this.store.markDeleted(event.payload.messageId, new Date(envelope.ts).toISOString());
        break;
      case CHAT_EVENTS.presenceJoined:
      case CHAT_EVENTS.presenceLeft: {
        const present = event.type === CHAT_EVENTS.presenceJoined;
        for (const replay of this.presenceReplays) replay.push({ user: event.payload.user, present });
        this.applyPresence(event.payload.user, present);
        if (!present) this.typingUntil.delete(event.payload.user.id);
        break;
      }
      case CHAT_EVENTS.memberJoined:
      case CHAT_EVENTS.memberLeft:
        if (this.room) {
          const members = Math.max(0, this.room.members + (event.type === CHAT_EVENTS.memberJoined ? 1 : -1));
          this.room = { ...this.room, members };
        }
        break;
    }
    this.changed();
  }

  private onSignal(signal: Signal): void {
    if (signal.type !== CHAT_SIGNALS.typing) return;
    const parsed = TypingSignal.safeParse(signal.payload);
    if (!parsed.success || parsed.data.user.id === this.me.id) return;
    this.typingUntil.set(parsed.data.user.id, { user: parsed.data.user, until: this.now() + TYPING_VISIBLE_MS });
    this.scheduleTypingExpiry();
    this.changed();
  }

  private scheduleTypingExpiry(): void {
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = null;
    const now = this.now();
    for (const [id, entry] of this.typingUntil) if (entry.until <= now) this.typingUntil.delete(id);
    if (this.typingUntil.size === 0) return;
    const next = Math.min(...[...this.typingUntil.values()].map((entry) => entry.until));
    this.typingTimer = setTimeout(() => {
      this.typingTimer = null;
      this.scheduleTypingExpiry();
      this.changed();
    }, Math.max(0, next - now) + 20);
  }

  // ---- actions ---------------------------------------------------------------------------

  /** Shows the message at once and sends it (`text` already validated with MessageText). */
  send = (text: string): void => {
    this.cancelTyping();
    const commandId = createCommandId();
    this.store.addPending(commandId, text, this.now());
    this.changed();
    void this.attempt(commandId, 0);
  };

  /** Sends a failed message again, with the same command id: the server posts it at most once. */
  retry = (commandId: string): void => {
    if (this.store.getPending(commandId)?.state !== "failed") return;
    void this.attempt(commandId, 0);
  };

  /** Forgets a failed message. */
  discard = (commandId: string): void => {
    if (this.store.getPending(commandId)?.state !== "failed") return;
    this.store.removePending(commandId);
    this.changed();
  };

  private async attempt(commandId: string, autoRetries: number): Promise<void> {
    const entry = this.store.getPending(commandId);
    if (!entry) return;
    this.store.updatePending(commandId, { state: "sending", failure: undefined, autoRetries });
    this.changed();
    try {
      const { message } = await this.client.send({
        id: commandId,
        type: "chat.send",
        payload: { roomId: this.roomId, text: entry.text },
      });
      this.store.removePending(commandId);
      this.store.upsert(message);
      this.changed();
    } catch (error) {
      if (!this.store.getPending(commandId)) return;
      const failure = describeFailure(error, this.now());
      this.store.updatePending(commandId, { state: "failed", failure, matchedId: undefined });
      if (failure.retryAt !== undefined) {
        this.rateLimitedUntil = Math.max(this.rateLimitedUntil ?? 0, failure.retryAt);
        this.later(failure.retryAt - this.now() + 50, () => this.clearRateLimit());
      }
      if (CONNECTION_CODES.has(failure.code) && this.client.status === "open") {
        // The connection came back (or never looked down): try again shortly.
        this.later(AUTO_RETRY_DELAY_MS, () => this.resendAfterConnectionLoss());
      }
      this.changed();
    }
  }

  private clearRateLimit(): void {
    if (this.rateLimitedUntil !== null && this.rateLimitedUntil <= this.now()) {
      this.rateLimitedUntil = null;
      this.changed();
    }
  }

  /** Resends the messages whose send failed for lack of a connection (a few times, then Retry). */
  private resendAfterConnectionLoss(): void {
    for (const entry of this.store.pendingMessages()) {
      if (entry.state === "failed" && entry.failure && CONNECTION_CODES.has(entry.failure.code) && entry.autoRetries < MAX_AUTO_RETRIES) {
        void this.attempt(entry.commandId, entry.autoRetries + 1);
      }
    }
  }

  edit = async (messageId: string, text: string): Promise<ActionResult> => {
    try {
      const { message } = await this.client.send({ type: "chat.edit", payload: { messageId, text } });
      this.store.upsert(message);
      this.changed();
      return { ok: true };
    } catch (error) {
      return { ok: false, message: errorText(error) };
    }
  };

  remove = async (messageId: string): Promise<ActionResult> => {
    try {
      await this.client.send({ type: "chat.delete", payload: { messageId } });
      this.store.markDeleted(messageId, new Date(this.now()).toISOString());
      this.changed();
      return { ok: true };
    } catch (error) {
      return { ok: false, message: errorText(error) };
    }
  };

  /** Loads the page before the oldest message held. */
  loadOlder = (): void => {
    if (this.loadingOlder || !this.hasMore || this.phase !== "ready") return;
    const oldest = this.store.oldest();
    if (!oldest) return;
    const generation = this.generation;
    this.loadingOlder = true;
    this.olderError = null;
    this.changed();
    void getJson(
      `${chatPaths.messages(this.roomId)}?before=${encodeURIComponent(oldest.id)}&limit=${CHAT_LIMITS.historyPageDefault}`,
      ChatHistoryResponse,
    ).then((page) => {
      if (!this.live(generation)) return;
      this.loadingOlder = false;
      if (page.ok) {
        this.store.upsertMany(page.value.messages);
        this.hasMore = page.value.hasMore;
      } else {
        this.olderError = failureMessage(page);
      }
      this.changed();
    });
  };

  /**
   * "I am typing": at most one command per throttle window (the server's, plus a margin so it
   * never absorbs ours). Typing inside the window sends once at its end (so typing again just
   * after sending a message still shows); sending the message cancels that. Failures do not matter.
   */
  typing = (): void => {
    if (this.phase !== "ready" || this.trailingTyping) return;
    const wait = this.lastTypingSent + TYPING_SEND_INTERVAL_MS - this.now();
    if (wait <= 0) {
      this.sendTyping();
      return;
    }
    this.trailingTyping = setTimeout(() => {
      this.trailingTyping = null;
      if (this.running) this.sendTyping();
    }, wait);
  };

  private sendTyping(): void {
    this.lastTypingSent = this.now();
    this.client.send({ type: "chat.typing", payload: { roomId: this.roomId } }).catch(() => undefined);
  }

  private cancelTyping(): void {
    if (this.trailingTyping) clearTimeout(this.trailingTyping);
    this.trailingTyping = null;
  }
}
