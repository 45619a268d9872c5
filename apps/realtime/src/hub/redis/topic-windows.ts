import type { EventEnvelope, Position, Signal, Topic } from "@repo/protocol";
import { LRUCache } from "lru-cache";
import { encodingOf } from "../event-encoding";

/**
 * Each instance's copy of the newest events and signals of the topics its subscribers read,
 * fed by the topic's live channel. A thousand short pollers of one room read the same few
 * entries every second: with a window, each poll is answered from memory instead of a Redis
 * script and a sorted-set read per poll (pnpm bench --redis, CPU per delivery).
 *
 * A window is exactly as fresh as the live channel, which the hub's own listeners also run
 * on: a read from it never misses what a listener will not get next, so "listen, then read"
 * stays gap-free. What it gives up is reading another instance's publish in the
 * milliseconds before its live copy arrives, so only reads that ask for it use a window
 * (subscribers: a poll or a catch-up that goes live), never the hub's own `read`.
 *
 * A window answers only what it knows whole: a position inside its contiguous run of events
 * (same epoch, not older than its first, not newer than its head). Anything else, a gap on
 * the live channel, the channel dropping, or a new epoch, sends the read to Redis, which
 * gives the events or an explicit reset, and the window is seeded again from that read.
 */

export interface WindowLimits {
  /** Events a window keeps (the newest). */
  events: number;
  /** JSON bytes a window keeps. */
  bytes: number;
  /** Topics with a window per instance (least recently read dropped first). */
  topics: number;
  /** A window nobody has read for this long is dropped (and its channel left). */
  idleMs: number;
}

export const DEFAULT_WINDOW_LIMITS: WindowLimits = { events: 128, bytes: 64 * 1024, topics: 512, idleMs: 30_000 };

/** What seeding reads from Redis: the newest events (complete up to `head` unless `partial`), and the stored signals. */
export interface WindowSeed {
  epoch: string;
  head: number;
  /** When the head was published (0: never). */
  publishedAt: number;
  events: EventEnvelope[];
  /** The read stopped at its limit: the events do not reach the head. */
  partial: boolean;
  signals: Signal[];
}

export interface TopicWindowsOptions {
  limits?: Partial<WindowLimits>;
  now: () => number;
  signalTtlMs: number;
  /** Events older than this are trimmed from the log (the topic kind's retention). */
  ageMsOf: (topic: Topic) => number;
  /** Subscribes the hub's live channel for a window; resolves when subscribed; returns the unsubscribe. */
  listen: (topic: Topic, onEvent: (event: EventEnvelope) => void, onSignal: (signal: Signal) => void, onLost: () => void) => { subscribed: Promise<void>; stop: () => void };
  /** Reads the newest `events` events (at least) and the unexpired signals from Redis. */
  seed: (topic: Topic, events: number) => Promise<WindowSeed>;
  /** Whether the live channel is connected now (a window is worth nothing while it is not). */
  liveConnected: () => boolean;
}

class TopicWindow {
  events: EventEnvelope[] = [];
  bytes = 0;
  /** Offset of `events[0]` (or of the next event, when there are none). */
  first = 0;
  head = -1;
  /** When the head was published (0: never). */
  publishedAt = 0;
  epoch = "";
  signals: Signal[] = [];
  /** False while seeding. */
  ready = false;
  /** Fell out of step (a gap, the channel lost): never read again; the next read seeds a new one. */
  broken = false;
  /** Live events that arrived while the seed read was out. */
  pending: EventEnvelope[] = [];
  stop: () => void = () => {};

  constructor(private readonly limits: WindowLimits) {}

  /** Appends the next event; false if it does not follow the head (the window is out of step). */
  append(event: EventEnvelope): boolean {
    if (event.epoch !== this.epoch) return false;
    if (event.offset <= this.head) return true; // already here (a local publish, then its live copy)
    if (event.offset !== this.head + 1) return false;
    this.keep(event);
    this.head = event.offset;
    this.publishedAt = event.ts;
    return true;
  }

  /** Adds an event at the end (seeded or live), then drops the oldest past the bounds. */
  keep(event: EventEnvelope) {
    if (this.events.length === 0) this.first = event.offset;
    this.events.push(event);
    this.bytes += encodingOf(event).bytes;
    while (this.events.length > this.limits.events || (this.bytes > this.limits.bytes && this.events.length > 1)) this.dropOldest();
  }

  dropOldest() {
    const dropped = this.events.shift();
    if (!dropped) return;
    this.bytes -= encodingOf(dropped).bytes;
    this.first = dropped.offset + 1;
  }

  addSignal(signal: Signal, oldest: number) {
    if (this.signals.some((known) => known.id === signal.id)) return;
    this.signals = this.signals.filter((known) => known.ts > oldest);
    this.signals.push(signal);
    this.signals.sort((a, b) => a.ts - b.ts);
  }
}

export type WindowRead = { events: EventEnvelope[]; position: Position };

export function createTopicWindows(options: TopicWindowsOptions) {
  const limits: WindowLimits = { ...DEFAULT_WINDOW_LIMITS, ...options.limits };
  const windows = new LRUCache<Topic, TopicWindow>({
    max: limits.topics,
    ttl: limits.idleMs,
    updateAgeOnGet: true,
    ttlAutopurge: true,
    dispose: (window) => window.stop(),
  });
  /** Windows being seeded, so that concurrent reads of a new topic share one seed. */
  const seeding = new Map<Topic, Promise<TopicWindow | null>>();

  function drop(topic: Topic, window: TopicWindow) {
    window.broken = true;
    if (windows.peek(topic) === window) windows.delete(topic);
  }

  const usable = (window: TopicWindow | null | undefined): window is TopicWindow => Boolean(window?.ready && !window.broken);

  async function open(topic: Topic): Promise<TopicWindow | null> {
    const window = new TopicWindow(limits);
    const live = options.listen(
      topic,
      (event) => {
        if (!window.ready) window.pending.push(event);
        else if (!window.append(event)) drop(topic, window);
      },
      (signal) => window.addSignal(signal, options.now() - options.signalTtlMs),
      () => drop(topic, window),
    );
    window.stop = live.stop;
    try {
      await live.subscribed;
      // Subscribed first, then read: an event published between is in the read or in `pending`.
      const seed = await options.seed(topic, limits.events);
      if (seed.partial) throw new Error("seed read stopped at its limit");
      window.epoch = seed.epoch;
      window.head = seed.head;
      window.publishedAt = seed.publishedAt;
      window.first = seed.head + 1;
      for (const event of seed.events) window.keep(event);
      for (const signal of seed.signals) window.addSignal(signal, options.now() - options.signalTtlMs);
      window.ready = true;
      for (const event of window.pending) if (!window.append(event)) window.broken = true;
      window.pending = [];
      if (window.broken) {
        window.stop();
        return null;
      }
      windows.set(topic, window);
      return window;
    } catch {
      window.stop();
      return null;
    }
  }

  /** The topic's window, opening one (once, however many ask) if there is none; null if none can be had now. */
  async function windowOf(topic: Topic): Promise<TopicWindow | null> {
    if (!options.liveConnected()) return null;
    const known = windows.get(topic);
    if (usable(known)) return known;
    let opening = seeding.get(topic);
    if (!opening) {
      opening = open(topic).finally(() => seeding.delete(topic));
      seeding.set(topic, opening);
    }
    return opening;
  }

  function trimByAge(topic: Topic, window: TopicWindow) {
    const oldest = options.now() - options.ageMsOf(topic);
    while (window.events.length > 0 && window.events[0]!.ts < oldest) window.dropOldest();
  }

  return {
    /**
     * Events after `position` from the topic's window, or null: the window cannot answer it
     * whole (ask Redis). `position` null (the live end) is always Redis's to answer.
     */
    async read(topic: Topic, position: Position | null, limit: number): Promise<WindowRead | null> {
      // "From the live end" is read from Redis, once per subscription: a window being seeded
      // could place that end past an event published meanwhile, which the subscriber then never gets.
      if (position === null) return null;
      const window = await windowOf(topic);
      if (!usable(window) || !options.liveConnected()) return null;
      trimByAge(topic, window);
      if (position.epoch !== window.epoch || position.offset > window.head || position.offset < window.first - 1) return null;
      const start = position.offset + 1 - window.first;
      const events = window.events.slice(start, start + limit);
      const last = events.at(-1);
      return { events, position: last ? { epoch: window.epoch, offset: last.offset } : position };
    },

    /** The newest event's position and publish time from the topic's window, or null (ask Redis). */
    async head(topic: Topic): Promise<(Position & { publishedAt: number }) | null> {
      const window = await windowOf(topic);
      if (!usable(window) || !options.liveConnected()) return null;
      return { epoch: window.epoch, offset: window.head, publishedAt: window.publishedAt };
    },

    /** Unexpired signals newer than `sinceTs` from the topic's window, or null (ask Redis). */
    async recentSignals(topic: Topic, sinceTs: number): Promise<Signal[] | null> {
      const window = await windowOf(topic);
      if (!usable(window) || !options.liveConnected()) return null;
      const oldest = Math.max(sinceTs, options.now() - options.signalTtlMs);
      return window.signals.filter((signal) => signal.ts > oldest);
    },

    /** This instance's own publish, known before its live copy arrives: read-your-writes on one instance. */
    offer(event: EventEnvelope) {
      const window = windows.peek(event.topic);
      if (usable(window) && event.epoch === window.epoch && event.offset === window.head + 1) window.append(event);
    },

    /** The live channel dropped: nothing a window holds can be trusted to be current. */
    dropAll() {
      for (const [topic, window] of windows.entries()) drop(topic, window);
    },

    size: () => windows.size,

    close() {
      windows.clear();
    },
  };
}

export type TopicWindows = ReturnType<typeof createTopicWindows>;
