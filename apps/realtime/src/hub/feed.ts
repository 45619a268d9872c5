import type { CursorMap, EventEnvelope, Position, ResetSignal, Signal, Topic } from "@repo/protocol";
import type { Hub } from "./hub";

export interface FeedSink {
  event(event: EventEnvelope): void;
  reset(reset: ResetSignal): void;
  /** Ephemeral signals, passed straight through (they are never part of catch-up). */
  signal?(signal: Signal): void;
}

export interface Feed {
  /** Where the feed stands in each topic: what a client would resume from (null: from now, nothing seen). */
  positions(): CursorMap;
  /** Adds topics (or restarts them from a new cursor); resolves once their backlog is out. */
  add(cursors: CursorMap): Promise<void>;
  remove(topics: Topic[]): void;
  topics(): Topic[];
  close(): void;
}

interface TopicState {
  position: Position | null;
  /** Live events that arrived while the backlog was being read; null once live. */
  buffer: EventEnvelope[] | null;
  stop: () => void;
}

/**
 * Catch-up then live, for a set of topics, with no gap and no duplicate: the
 * live listener is attached before the backlog is read, live events are held
 * until the backlog is out, and anything at or before the delivered position
 * is dropped. The streaming transports deliver through this.
 */
export function createFeed(hub: Hub, sink: FeedSink): Feed {
  const states = new Map<Topic, TopicState>();

  function deliver(state: TopicState, event: EventEnvelope) {
    const at = state.position;
    if (!at || event.epoch !== at.epoch || event.offset <= at.offset) return;
    state.position = { epoch: event.epoch, offset: event.offset };
    sink.event(event);
  }

  async function catchUp(topic: Topic, state: TopicState) {
    const from = state.position;
    let result = await hub.read(topic, from);
    for (;;) {
      if (states.get(topic) !== state) return;
      if (result.kind === "reset") {
        state.position = result.reset.position;
        sink.reset(result.reset);
        break;
      }
      // From the live end: the read answers with the head and no events.
      if (from === null) state.position = result.position;
      for (const event of result.events) deliver(state, event);
      if (from === null || result.events.length === 0) break;
      result = await hub.read(topic, state.position);
    }
    if (states.get(topic) !== state) return;
    const held = state.buffer ?? [];
    state.buffer = null;
    for (const event of held) deliver(state, event);
  }

  return {
    positions() {
      const out: CursorMap = {};
      for (const [topic, state] of states) out[topic] = state.position;
      return out;
    },
    async add(cursors) {
      const started: Array<[Topic, TopicState]> = [];
      // Register every topic first, so positions() names them all even mid-catch-up.
      for (const [topic, from] of Object.entries(cursors)) {
        states.get(topic)?.stop();
        const state: TopicState = { position: from, buffer: [], stop: () => {} };
        state.stop = hub.listen(
          topic,
          (event) => {
            if (state.buffer) state.buffer.push(event);
            else deliver(state, event);
          },
          sink.signal && ((signal) => sink.signal!(signal)),
        );
        states.set(topic, state);
        started.push([topic, state]);
      }
      for (const [topic, state] of started) await catchUp(topic, state);
    },
    remove(topics) {
      for (const topic of topics) {
        states.get(topic)?.stop();
        states.delete(topic);
      }
    },
    topics: () => [...states.keys()],
    close() {
      for (const state of states.values()) state.stop();
      states.clear();
    },
  };
}
