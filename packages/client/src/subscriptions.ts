import {
  MAX_TOPICS_PER_SUBSCRIPTION,
  Position,
  ProtocolError,
  Topic,
  type CursorMap,
  type EventEnvelope,
  type ResetSignal,
  type Signal,
} from "@repo/protocol";
import type { ClientSink, EventHandler, SubscribeOptions } from "./client-types";
import type { MetricsRecorder } from "./metrics";
import type { TopicChange } from "./transport";

interface Listener {
  onEvent: EventHandler;
  onReset?: (reset: ResetSignal) => void;
  onError?: (error: ProtocolError) => void;
  onSignal?: (signal: Signal) => void;
}

interface TopicState {
  /** Last event seen (or where a reset moved us); null: from now, nothing seen yet. */
  position: Position | null;
  listeners: Set<Listener>;
}

/** Signal ids remembered to drop repeats (polls re-send unexpired signals; a switch may overlap). */
const SIGNAL_IDS_KEPT = 512;

function samePosition(a: Position | null, b: Position): boolean {
  return a !== null && a.epoch === b.epoch && a.offset === b.offset;
}

/**
 * The followed topics, each with its cursor and listeners. Delivers events
 * once and in offset order (anything at or before the cursor, or of another
 * epoch, is a duplicate), signals once by id, and resets; and tracks what the
 * live transport was told, so a topic change becomes one `TopicChange`.
 */
export class Subscriptions {
  private readonly topics = new Map<Topic, TopicState>();
  /** What the live transport was last told about (to compute topic changes). */
  private told = new Map<Topic, TopicState>();
  private readonly recentSignalIds = new Set<string>();
  /** Newest signal timestamp seen (server clock): polls ask only for newer ones. */
  newestSignal = 0;

  constructor(
    private readonly sink: ClientSink,
    private readonly recorder: MetricsRecorder,
    /** The set of topics changed: the transport has to hear about it. */
    private readonly changed: () => void,
  ) {}

  get size(): number {
    return this.topics.size;
  }

  has(topic: Topic): boolean {
    return this.topics.has(topic);
  }

  /** Adds a listener to a topic, following it from `cursor` if it is new. Returns the removal. */
  add(topic: Topic, onEvent: EventHandler, options: SubscribeOptions): () => void {
    if (!Topic.safeParse(topic).success) throw new ProtocolError("validation", `Invalid topic "${topic}"`);
    let state = this.topics.get(topic);
    if (!state) {
      if (this.topics.size >= MAX_TOPICS_PER_SUBSCRIPTION) {
        throw new ProtocolError("validation", `Follow at most ${MAX_TOPICS_PER_SUBSCRIPTION} topics per client`);
      }
      const cursor = options.cursor ?? null;
      if (cursor !== null && !Position.safeParse(cursor).success) throw new ProtocolError("validation", "Invalid cursor");
      state = { position: cursor === null ? null : { epoch: cursor.epoch, offset: cursor.offset }, listeners: new Set() };
      this.topics.set(topic, state);
    }
    const listener: Listener = { onEvent, onReset: options.onReset, onError: options.onError, onSignal: options.onSignal };
    const subscribed = state;
    subscribed.listeners.add(listener);
    this.changed();
    return () => {
      if (!subscribed.listeners.delete(listener)) return;
      if (subscribed.listeners.size === 0 && this.topics.get(topic) === subscribed) {
        this.topics.delete(topic);
        this.changed();
      }
    };
  }

  /** Where each followed topic stands. */
  cursors(): CursorMap {
    const out: CursorMap = {};
    for (const [topic, state] of this.topics) out[topic] = state.position ? { ...state.position } : null;
    return out;
  }

  /** A new transport starts from every current topic: it has been told them all. */
  toldAll(): void {
    this.told = new Map(this.topics);
  }

  /** What changed since the transport was last told, or null when nothing did. */
  takeChange(): TopicChange | null {
    const added: CursorMap = {};
    const removed: Topic[] = [];
    for (const [topic, state] of this.topics) if (this.told.get(topic) !== state) added[topic] = state.position;
    for (const topic of this.told.keys()) if (!this.topics.has(topic)) removed.push(topic);
    if (Object.keys(added).length === 0 && removed.length === 0) return null;
    this.told = new Map(this.topics);
    return { added, removed };
  }

  clear(): void {
    this.topics.clear();
  }

  /** Delivers an event once, in offset order: anything at or before the topic's cursor (or of another epoch) is a duplicate. */
  deliver(event: EventEnvelope): void {
    const state = this.topics.get(event.topic);
    if (!state) return;
    const at = state.position;
    if (at && (event.epoch !== at.epoch || event.offset <= at.offset)) {
      this.recorder.add("duplicates");
      return;
    }
    state.position = { epoch: event.epoch, offset: event.offset };
    this.recorder.add("events");
    this.recorder.latency(Date.now() - event.ts);
    this.each(state, (listener) => listener.onEvent(event));
    this.sink.emit("event", event);
  }

  deliverSignal(signal: Signal): void {
    const state = this.topics.get(signal.topic);
    if (!state || this.recentSignalIds.has(signal.id)) return;
    this.recentSignalIds.add(signal.id);
    if (this.recentSignalIds.size > SIGNAL_IDS_KEPT) this.recentSignalIds.delete(this.recentSignalIds.values().next().value!);
    // newestSignal follows only the server's poll cursor: a signal's own ts could skip
    // another stamped in the same millisecond. Re-sent signals are dropped by id above.
    this.recorder.add("signals");
    this.each(state, (listener) => listener.onSignal?.(signal));
    this.sink.emit("signal", signal);
  }

  signalsSeen(since: number): void {
    this.newestSignal = Math.max(this.newestSignal, since);
  }

  applyReset(reset: ResetSignal): void {
    const state = this.topics.get(reset.topic);
    if (!state || samePosition(state.position, reset.position)) return;
    state.position = { ...reset.position };
    this.recorder.add("resets");
    this.each(state, (listener) => listener.onReset?.(reset));
    this.sink.emit("reset", reset);
  }

  /** Pins "from now" cursors to the positions the server reports. */
  applyPositions(cursors: CursorMap): void {
    for (const [topic, position] of Object.entries(cursors)) {
      const state = this.topics.get(topic);
      if (state && state.position === null && position) state.position = { epoch: position.epoch, offset: position.offset };
    }
  }

  /** Ends refused subscriptions with `onError`; the transport is told they are gone. */
  end(refused: Array<[Topic, ProtocolError]>): void {
    let handled = false;
    for (const [topic, error] of refused) {
      const state = this.topics.get(topic);
      if (!state) continue;
      this.topics.delete(topic);
      // The transport may have sent it before being told: make the next flush report it removed.
      this.told.set(topic, state);
      for (const listener of state.listeners) {
        if (!listener.onError) continue;
        handled = true;
        try {
          listener.onError(error);
        } catch (thrown) {
          this.sink.report(thrown);
        }
      }
    }
    // A refusal an `onError` handled needs no console line; `error` listeners hear it anyway.
    if (!handled || this.sink.listensForErrors()) this.sink.report(refused[0]![1]);
    this.changed();
  }

  /** Calls every listener of a topic; one that throws is reported and the others still run. */
  private each(state: TopicState, call: (listener: Listener) => void): void {
    for (const listener of [...state.listeners]) {
      try {
        call(listener);
      } catch (error) {
        this.sink.report(error);
      }
    }
  }
}
