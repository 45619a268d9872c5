import { randomBytes, randomUUID } from "node:crypto";
import { topicKind, type EventEnvelope, type Position, type Signal, type Topic, type TopicKind } from "@repo/protocol";
import { encodingOf, type EventEncoding } from "./event-encoding";
import { Fifo } from "./fifo";
import type { EventListener, Hub, HubStats, ReadResult, SignalListener } from "./hub";

export const DEFAULT_RETENTION_BYTES_PER_TOPIC = 16 * 1024 * 1024;
export const DEFAULT_RETENTION_BYTES_TOTAL = 256 * 1024 * 1024;
export const DEFAULT_TOPIC_IDLE_MS = 10 * 60 * 1000;

export interface RetentionPolicy {
  /** Most events kept per topic. */
  count: number;
  /** Oldest event age kept, in ms. */
  ageMs: number;
  /** Most retained bytes per topic (see `retainedCost`). */
  bytesPerTopic?: number;
  /** Most retained bytes over all topics; the oldest events go first, whatever their topic. */
  bytesTotal?: number;
  /** A topic with no listener, no event within `ageMs` and untouched this long is forgotten. */
  topicIdleMs?: number;
  /** How long a signal stays visible to polls, in ms. */
  signalTtlMs?: number;
  /**
   * Tighter bounds for the topics of some kinds, over the ones above: a game's
   * tick stream is only read a little way back (further, a client refetches
   * the state), and a closed game's topic should go soon.
   */
  kinds?: Partial<Record<TopicKind, TopicRetention>>;
}

/** The per-topic bounds one kind may tighten. */
export type TopicRetention = Partial<Pick<RetentionPolicy, "count" | "ageMs" | "bytesPerTopic" | "topicIdleMs">>;

export interface MemoryHubOptions {
  /** Called when a listener throws; fan-out goes on to the next listener. */
  onListenerError?: (error: unknown, topic: Topic) => void;
}

export interface MemoryHub extends Hub {
  /** Trims by age, drops expired signals and evicts idle topics now (the timer does it periodically). */
  sweep(): void;
}

/**
 * A retained event is counted twice its JSON's UTF-8 size: once for the envelope object
 * (its strings are about that size) and once for the cached JSON kept with it, which the
 * transports write out (security review F4: "JSON is cached alongside").
 */
export function retainedCost(encoding: EventEncoding): number {
  return 2 * encoding.bytes;
}

interface Retained {
  event: EventEnvelope;
  /** Kept with the event so that its cost is counted and it lives exactly as long. */
  encoding: EventEncoding;
  cost: number;
}

interface TopicLog {
  topic: Topic;
  /** The bounds of this topic (its kind's, where it has its own). */
  limits: Required<TopicRetention>;
  epoch: string;
  /** Retained events, oldest first; offsets are contiguous. */
  events: Fifo<Retained>;
  /** Sum of the retained events' costs. */
  bytes: number;
  /** Offset of the newest event ever published (0: none). */
  headOffset: number;
  /** When the newest event was published (0: never), retained or not. */
  lastPublishedAt: number;
  /** Last publish, read, head, listen, unlisten or signal. */
  touchedAt: number;
  /** Set once the topic is forgotten: its entries in the global order are stale. */
  evicted: boolean;
  listeners: Set<EventListener>;
  signalListeners: Set<SignalListener>;
  /** Unexpired signals, oldest first. */
  signals: Fifo<Signal>;
}

/** One published event in the global publish order, for the total byte cap. */
interface Published {
  log: TopicLog;
  offset: number;
}

/** Epochs are random, so an instance restart (which loses history) never reuses one. */
function newEpoch(): string {
  return randomBytes(6).toString("base64url");
}

/**
 * The in-process hub: the embedded default, and the reference for other implementations.
 *
 * Memory is bounded: per topic by count, age and bytes, in total by bytes, and topics
 * nobody uses are evicted. Every bound costs O(events dropped) per publish, never O(retained).
 */
export function createMemoryHub(
  retention: RetentionPolicy,
  now: () => number = Date.now,
  options: MemoryHubOptions = {},
): MemoryHub {
  const logs = new Map<Topic, TopicLog>();
  let listeners = 0;
  let retainedBytes = 0;
  let retainedEvents = 0;
  const signalTtlMs = retention.signalTtlMs ?? 4000;
  const bytesPerTopic = retention.bytesPerTopic ?? DEFAULT_RETENTION_BYTES_PER_TOPIC;
  const bytesTotal = retention.bytesTotal ?? DEFAULT_RETENTION_BYTES_TOTAL;
  const topicIdleMs = retention.topicIdleMs ?? DEFAULT_TOPIC_IDLE_MS;
  /**
   * Every published event in publish order, so the total cap drops the globally oldest one
   * in O(1). Entries whose event is already gone (dropped by a per-topic rule, or evicted)
   * are skipped when they reach the head, and compacted away once they outnumber the live ones.
   */
  const order = new Fifo<Published>();
  const defaults: Required<TopicRetention> = { count: retention.count, ageMs: retention.ageMs, bytesPerTopic, topicIdleMs };
  const limitsByKind = new Map<string, Required<TopicRetention>>(
    Object.entries(retention.kinds ?? {}).map(([kind, own]) => [kind, { ...defaults, ...own }]),
  );

  function touch(topic: Topic, t = now()): TopicLog {
    let entry = logs.get(topic);
    if (!entry) {
      entry = {
        topic,
        limits: limitsByKind.get(topicKind(topic)) ?? defaults,
        epoch: newEpoch(),
        events: new Fifo(),
        bytes: 0,
        headOffset: 0,
        lastPublishedAt: 0,
        touchedAt: t,
        evicted: false,
        listeners: new Set(),
        signalListeners: new Set(),
        signals: new Fifo(),
      };
      logs.set(topic, entry);
    }
    entry.touchedAt = t;
    return entry;
  }

  function firstOffset(entry: TopicLog): number {
    return entry.events.peek()?.event.offset ?? entry.headOffset + 1;
  }

  function dropOldest(entry: TopicLog) {
    const dropped = entry.events.shift();
    if (!dropped) return;
    entry.bytes -= dropped.cost;
    retainedBytes -= dropped.cost;
    retainedEvents--;
  }

  /** The age rule, looking only at the head: events are in time order. */
  function trimAge(entry: TopicLog, t: number) {
    const oldestAllowed = t - entry.limits.ageMs;
    while (entry.events.length > 0 && entry.events.peek()!.event.ts < oldestAllowed) dropOldest(entry);
  }

  function trimTopic(entry: TopicLog, t: number) {
    while (entry.events.length > entry.limits.count) dropOldest(entry);
    trimAge(entry, t);
    while (entry.bytes > entry.limits.bytesPerTopic) dropOldest(entry);
  }

  function isRetained(published: Published): boolean {
    return !published.log.evicted && published.offset >= firstOffset(published.log);
  }

  function dropStaleOrder() {
    while (order.length > 0 && !isRetained(order.peek()!)) order.shift();
    if (order.length > 2 * retainedEvents + 1024) order.retain(isRetained);
  }

  function trimTotal() {
    while (retainedBytes > bytesTotal && order.length > 0) {
      const oldest = order.shift()!;
      // The oldest retained event overall is the oldest of its topic.
      if (isRetained(oldest)) dropOldest(oldest.log);
    }
    dropStaleOrder();
  }

  function report(error: unknown, topic: Topic) {
    try {
      options.onListenerError?.(error, topic);
    } catch {
      // A failing reporter must not break fan-out either.
    }
  }

  function evict(entry: TopicLog) {
    while (entry.events.length > 0) dropOldest(entry);
    entry.signals.clear();
    entry.evicted = true;
    logs.delete(entry.topic);
  }

  function sweep() {
    const t = now();
    for (const entry of logs.values()) {
      trimAge(entry, t);
      while (entry.signals.length > 0 && entry.signals.peek()!.ts < t - signalTtlMs) entry.signals.shift();
      const idle =
        entry.listeners.size === 0 &&
        entry.signalListeners.size === 0 &&
        entry.lastPublishedAt < t - entry.limits.ageMs &&
        entry.touchedAt <= t - entry.limits.topicIdleMs;
      if (idle) evict(entry);
    }
    dropStaleOrder();
  }

  // Evicted between topicIdleMs and 1.5 × topicIdleMs (at most 30 s late) after last use.
  const shortestIdleMs = Math.min(topicIdleMs, ...[...limitsByKind.values()].map((limits) => limits.topicIdleMs));
  const sweeper = setInterval(sweep, Math.max(10, Math.min(shortestIdleMs, 60_000) / 2));
  sweeper.unref();

  function readSync(topic: Topic, position: Position | null, limit: number): ReadResult {
    const t = now();
    const entry = touch(topic, t);
    const head: Position = { epoch: entry.epoch, offset: entry.headOffset };
    if (position === null) return { kind: "events", events: [], position: head };
    if (position.epoch !== entry.epoch || position.offset > entry.headOffset) {
      return { kind: "reset", reset: { topic, reason: "unknown_epoch", position: head } };
    }
    trimAge(entry, t);
    // The oldest offset a client may still resume from is the one just before the oldest retained event.
    const firstRetained = firstOffset(entry);
    if (position.offset < firstRetained - 1) {
      return { kind: "reset", reset: { topic, reason: "retention", position: head } };
    }
    const start = position.offset - firstRetained + 1;
    const events = entry.events.slice(start, start + limit).map((retained) => retained.event);
    const last = events.at(-1);
    return { kind: "events", events, position: last ? { epoch: entry.epoch, offset: last.offset } : position };
  }

  return {
    async publish(topic, type, payload) {
      const t = now();
      const entry = touch(topic, t);
      const event: EventEnvelope = { topic, offset: entry.headOffset + 1, epoch: entry.epoch, type, payload, ts: t };
      // Encoded once, here, before the event is logged (an unencodable payload is refused whole).
      const encoding = encodingOf(event);
      const cost = retainedCost(encoding);
      entry.headOffset = event.offset;
      entry.lastPublishedAt = t;
      entry.events.push({ event, encoding, cost });
      entry.bytes += cost;
      retainedBytes += cost;
      retainedEvents++;
      order.push({ log: entry, offset: event.offset });
      trimTopic(entry, t);
      trimTotal();
      for (const listener of entry.listeners) {
        try {
          listener(event);
        } catch (error) {
          report(error, topic);
        }
      }
      return event;
    },

    async read(topic, position, limit = 1000) {
      return readSync(topic, position, limit);
    },

    async head(topic) {
      const entry = touch(topic);
      return { epoch: entry.epoch, offset: entry.headOffset, publishedAt: entry.lastPublishedAt };
    },

    listen(topic, listener, onSignal) {
      const entry = touch(topic);
      entry.listeners.add(listener);
      if (onSignal) entry.signalListeners.add(onSignal);
      listeners++;
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        entry.listeners.delete(listener);
        if (onSignal) entry.signalListeners.delete(onSignal);
        // Idle time counts from when the last listener left.
        entry.touchedAt = now();
        listeners--;
      };
    },

    async signal(topic, type, payload) {
      const entry = touch(topic);
      const signal: Signal = { topic, id: randomUUID(), type, payload, ts: entry.touchedAt };
      const expired = signal.ts - signalTtlMs;
      while (entry.signals.length > 0 && entry.signals.peek()!.ts < expired) entry.signals.shift();
      entry.signals.push(signal);
      for (const listener of entry.signalListeners) {
        try {
          listener(signal);
        } catch (error) {
          report(error, topic);
        }
      }
      return signal;
    },

    async recentSignals(topic, sinceTs) {
      const entry = logs.get(topic);
      if (!entry) return [];
      const oldest = Math.max(sinceTs, now() - signalTtlMs);
      const recent: Signal[] = [];
      for (const signal of entry.signals) if (signal.ts > oldest) recent.push(signal);
      return recent;
    },

    listenerCount: () => listeners,

    stats: (): HubStats => ({ topics: logs.size, events: retainedEvents, retainedBytes }),

    sweep,

    async close() {
      clearInterval(sweeper);
      for (const entry of logs.values()) {
        entry.listeners.clear();
        entry.signalListeners.clear();
      }
      listeners = 0;
    },
  };
}
