// One room, live: joins it, loads the latest history page, follows `chat:<roomId>` from that
// page's position, and applies its events and typing signals. Composes the room's parts:
// history (pages, resets), outbox (my sends), presence and typing. Framework-free; React reads
// it through `subscribe` / `getSnapshot` (useSyncExternalStore).
import { failureText, type ClientStatus, type RealtimeClient } from "@repo/client";
import {
  CHAT_EVENTS,
  ChatEvent,
  chatTopic,
  type ChatHistoryResponse,
  type ChatRoom,
  type EventEnvelope,
  type RoomId,
  type User,
} from "@repo/protocol";
import { RoomHistory } from "./history";
import { MessageStore } from "./message-store";
import { Outbox } from "./outbox";
import { RoomPresence } from "./presence";
import { RoomRuns, type RoomContext } from "./room-context";
import type { ActionResult, RoomPhase, RoomSnapshot } from "./room-snapshot";
import { RoomTyping } from "./typing";

export { TYPING_VISIBLE_MS } from "./typing";

export class ChatRoomController {
  private readonly listeners = new Set<() => void>();
  private snapshot: RoomSnapshot | null = null;
  private phase: RoomPhase = "joining";
  private error: string | null = null;
  private room: ChatRoom | null = null;

  private readonly runs = new RoomRuns();
  private unsubscribeTopic: (() => void) | null = null;
  private offStatus: (() => void) | null = null;

  private readonly context: RoomContext;
  private readonly store = new MessageStore();
  private readonly history: RoomHistory;
  private readonly outbox: Outbox;
  private readonly presence: RoomPresence;
  private readonly typingState: RoomTyping;

  constructor(
    private readonly client: RealtimeClient,
    readonly roomId: RoomId,
    me: User,
    now: () => number = Date.now,
  ) {
    this.context = {
      client,
      roomId,
      me,
      now,
      changed: () => this.changed(),
      generation: this.runs.generation,
      live: this.runs.live,
      later: this.runs.later,
    };
    this.history = new RoomHistory(this.context, this.store);
    this.outbox = new Outbox(this.context, this.store, this.history);
    this.presence = new RoomPresence(this.context);
    this.typingState = new RoomTyping(this.context);
  }

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
      hasMore: this.history.hasMore,
      loadingOlder: this.history.loadingOlder,
      olderError: this.history.olderError,
      presence: this.presence.list(this.phase === "ready"),
      typing: this.typingState.list(),
      rateLimitedUntil: this.outbox.rateLimitedUntil,
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
    const generation = this.runs.begin();
    if (generation === null) return;
    this.offStatus = this.client.on("status", (status) => this.onStatus(status));
    void this.enter(generation);
  };

  stop = (): void => {
    if (!this.runs.end()) return;
    this.unsubscribeTopic?.();
    this.unsubscribeTopic = null;
    this.offStatus?.();
    this.offStatus = null;
    this.history.stop();
    this.typingState.stop();
  };

  /** After an entry error: try joining again. */
  retryEntry = (): void => {
    this.stop();
    this.start();
  };

  private async enter(generation: number): Promise<void> {
    this.phase = "joining";
    this.error = null;
    this.changed();
    try {
      const { room } = await this.client.send({ type: "chat.join", payload: { roomId: this.roomId } });
      if (!this.runs.live(generation)) return;
      this.room = room;
    } catch (error) {
      if (!this.runs.live(generation)) return;
      this.fail(failureText(error));
      return;
    }

    this.phase = "loading";
    this.changed();
    let page: ChatHistoryResponse | null;
    try {
      page = await this.history.open(generation);
    } catch (error) {
      if (this.runs.live(generation)) this.fail(failureText(error));
      return;
    }
    if (!page) return;
    // Follow the topic from where the page was read: every later change arrives as an event
    // (a message may be in the page and in an event too: the store merges by id).
    this.unsubscribeTopic = this.client.subscribe(chatTopic(this.roomId), (event) => this.onEvent(event), {
      cursor: page.position,
      onReset: () => {
        this.history.resync(generation);
        void this.presence.load(generation);
      },
      onError: (error) => {
        if (!this.runs.live(generation)) return;
        this.unsubscribeTopic = null;
        this.fail(failureText(error));
      },
      onSignal: (signal) => this.typingState.onSignal(signal),
    });
    this.phase = "ready";
    this.changed();
    void this.presence.load(generation);
  }

  private fail(message: string): void {
    this.phase = "error";
    this.error = message;
    this.changed();
  }

  private onStatus(status: ClientStatus): void {
    if (status === "open") this.outbox.resendAfterConnectionLoss();
  }

  // ---- what the topic delivers -----------------------------------------------------------

  private onEvent(envelope: EventEnvelope): void {
    const parsed = ChatEvent.safeParse({ type: envelope.type, payload: envelope.payload });
    if (!parsed.success) return; // not a chat event (or not one this version knows)
    this.apply(parsed.data, envelope.ts);
    this.changed();
  }

  /** One case per chat event type: a type added to the protocol fails to compile until handled here. */
  private apply(event: ChatEvent, ts: number): void {
    switch (event.type) {
      case CHAT_EVENTS.messageCreated: {
        const { message } = event.payload;
        // Only this room's messages: another room's, however it got onto this topic, is not ours to show.
        if (message.roomId !== this.roomId) return;
        this.store.matchCreated(message, this.context.me.id);
        this.history.upsert(message);
        this.typingState.stopped(message.author.id); // whoever just posted has stopped typing
        return;
      }
      case CHAT_EVENTS.messageEdited:
        this.history.applyEdit(event.payload.message);
        return;
      case CHAT_EVENTS.messageDeleted:
        this.history.markDeleted(event.payload.messageId, new Date(ts).toISOString());
        return;
      case CHAT_EVENTS.presenceJoined:
        this.presence.apply(event.payload.user, true);
        return;
      case CHAT_EVENTS.presenceLeft:
        this.presence.apply(event.payload.user, false);
        this.typingState.stopped(event.payload.user.id);
        return;
      case CHAT_EVENTS.memberJoined:
        this.countMembers(+1);
        return;
      case CHAT_EVENTS.memberLeft:
        this.countMembers(-1);
        return;
      default: {
        const unhandled: never = event;
        return unhandled;
      }
    }
  }

  private countMembers(delta: number): void {
    if (this.room) this.room = { ...this.room, members: Math.max(0, this.room.members + delta) };
  }

  // ---- actions ---------------------------------------------------------------------------

  send = (text: string): void => {
    this.typingState.cancelMine();
    this.outbox.send(text);
  };

  retry = (commandId: string): void => this.outbox.retry(commandId);

  discard = (commandId: string): void => this.outbox.discard(commandId);

  edit = async (messageId: string, text: string): Promise<ActionResult> => {
    try {
      const { message } = await this.client.send({ type: "chat.edit", payload: { messageId, text } });
      this.history.applyEdit(message);
      this.changed();
      return { ok: true };
    } catch (error) {
      return { ok: false, message: failureText(error) };
    }
  };

  remove = async (messageId: string): Promise<ActionResult> => {
    try {
      await this.client.send({ type: "chat.delete", payload: { messageId } });
      this.history.markDeleted(messageId, new Date(this.context.now()).toISOString());
      this.changed();
      return { ok: true };
    } catch (error) {
      return { ok: false, message: failureText(error) };
    }
  };

  /** Loads the page before the oldest message held. */
  loadOlder = (): void => {
    if (this.phase === "ready") this.history.loadOlder();
  };

  /** "I am typing" (throttled; see RoomTyping). */
  typing = (): void => {
    if (this.phase === "ready") this.typingState.typing();
  };
}
