import { randomBytes, randomUUID } from "node:crypto";
import type { EventEnvelope, Position, Signal, Topic } from "@repo/protocol";
import type { EventListener, Hub, ReadResult, SignalListener } from "./hub";

export interface RetentionPolicy {
  /** Most events kept per topic. */
  count: number;
  /** Oldest event age kept, in ms. */
  ageMs: number;
  /** How long a signal stays visible to polls, in ms. */
  signalTtlMs?: number;
}

interface TopicLog {
  epoch: string;
  /** Retained events, oldest first; offsets are contiguous. */
  events: EventEnvelope[];
  /** Offset of the newest event ever published (0: none). */
  headOffset: number;
  listeners: Set<EventListener>;
  signalListeners: Set<SignalListener>;
  /** Unexpired signals, oldest first. */
  signals: Signal[];
}

/** Epochs are random, so an instance restart (which loses history) never reuses one. */
function newEpoch(): string {
  return randomBytes(6).toString("base64url");
}

/** The in-process hub: the embedded default, and the reference for other implementations. */
export function createMemoryHub(retention: RetentionPolicy, now: () => number = Date.now): Hub {
  const logs = new Map<Topic, TopicLog>();
  let listeners = 0;
  const signalTtlMs = retention.signalTtlMs ?? 4000;

  function log(topic: Topic): TopicLog {
    let entry = logs.get(topic);
    if (!entry) {
      entry = { epoch: newEpoch(), events: [], headOffset: 0, listeners: new Set(), signalListeners: new Set(), signals: [] };
      logs.set(topic, entry);
    }
    return entry;
  }

  function trim(entry: TopicLog) {
    const overflow = entry.events.length - retention.count;
    if (overflow > 0) entry.events.splice(0, overflow);
    const oldestAllowed = now() - retention.ageMs;
    let expired = 0;
    while (expired < entry.events.length && entry.events[expired]!.ts < oldestAllowed) expired++;
    if (expired > 0) entry.events.splice(0, expired);
  }

  function readSync(topic: Topic, position: Position | null, limit: number): ReadResult {
    const entry = log(topic);
    const head: Position = { epoch: entry.epoch, offset: entry.headOffset };
    if (position === null) return { kind: "events", events: [], position: head };
    if (position.epoch !== entry.epoch || position.offset > entry.headOffset) {
      return { kind: "reset", reset: { topic, reason: "unknown_epoch", position: head } };
    }
    trim(entry);
    // The oldest offset a client may still resume from is the one just before the oldest retained event.
    const firstRetained = entry.events[0]?.offset ?? entry.headOffset + 1;
    if (position.offset < firstRetained - 1) {
      return { kind: "reset", reset: { topic, reason: "retention", position: head } };
    }
    const start = position.offset - firstRetained + 1;
    const events = entry.events.slice(start, start + limit);
    const last = events.at(-1);
    return { kind: "events", events, position: last ? { epoch: entry.epoch, offset: last.offset } : position };
  }

  return {
    async publish(topic, type, payload) {
      const entry = log(topic);
      entry.headOffset += 1;
      const event: EventEnvelope = { topic, offset: entry.headOffset, epoch: entry.epoch, type, payload, ts: now() };
      entry.events.push(event);
      // Trim in batches (reads trim exactly first): one splice per publish would move the
      // whole retained array on every event once a busy topic is full.
      if (entry.events.length > retention.count + Math.max(16, retention.count >> 4)) trim(entry);
      for (const listener of entry.listeners) listener(event);
      return event;
    },

    async read(topic, position, limit = 1000) {
      return readSync(topic, position, limit);
    },

    async head(topic) {
      const entry = log(topic);
      return { epoch: entry.epoch, offset: entry.headOffset, publishedAt: entry.events.at(-1)?.ts ?? 0 };
    },

    listen(topic, listener, onSignal) {
      const entry = log(topic);
      entry.listeners.add(listener);
      if (onSignal) entry.signalListeners.add(onSignal);
      listeners++;
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        entry.listeners.delete(listener);
        if (onSignal) entry.signalListeners.delete(onSignal);
        listeners--;
      };
    },

    async signal(topic, type, payload) {
      const entry = log(topic);
      const signal: Signal = { topic, id: randomUUID(), type, payload, ts: now() };
      const expired = signal.ts - signalTtlMs;
      while (entry.signals.length > 0 && entry.signals[0]!.ts < expired) entry.signals.shift();
      entry.signals.push(signal);
      for (const listener of entry.signalListeners) listener(signal);
      return signal;
    },

    async recentSignals(topic, sinceTs) {
      const entry = logs.get(topic);
      if (!entry) return [];
      const oldest = Math.max(sinceTs, now() - signalTtlMs);
      return entry.signals.filter((signal) => signal.ts > oldest);
    },

    listenerCount: () => listeners,

    async close() {
      for (const entry of logs.values()) {
        entry.listeners.clear();
        entry.signalListeners.clear();
      }
      listeners = 0;
    },
  };
}
