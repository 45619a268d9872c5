import type { EventEnvelope, Position, ResetSignal, Signal, Topic } from "@repo/protocol";

/** What reading a topic after a position yields. */
export type ReadResult =
  | { kind: "events"; events: EventEnvelope[]; position: Position }
  | { kind: "reset"; reset: ResetSignal };

export type EventListener = (event: EventEnvelope) => void;
export type SignalListener = (signal: Signal) => void;
/**
 * Live events of the topic could not all be delivered (a shared hub's live
 * channel dropped, or one arrived out of sequence): followers must re-read from
 * their own positions, which yields what they missed or an explicit reset.
 */
export type LostListener = (topic: Topic) => void;

/**
 * A publish that must not happen once its writer has lost the right to write
 * (a game's tick loop whose lease another instance has taken: a fencing token).
 * Shared hubs only; see `Hub.publishFenced`.
 */
export interface PublishFence {
  /** The publish happens only while this key holds `token`. */
  key: string;
  token: string;
  /** Written in the same step: the hash `key` gets `v` = value and the event's position (`e`, `o`). */
  record: { key: string; value: string; ttlMs: number };
  /** Appended in the same step to the list `key` (expires with the record). */
  append?: { key: string; values: string[] };
}

/** The fence has moved on: another writer holds it now. Nothing was written. */
export class StaleFenceError extends Error {
  constructor(topic: string) {
    super(`publish to ${topic} refused: its fencing token is stale`);
    this.name = "StaleFenceError";
  }
}

/**
 * How fresh a read must be. A shared hub may answer `liveCopy` reads from this instance's copy
 * of the topic's live feed: gap-free with `listen`, but it can lag another instance's publish by
 * the few milliseconds its live copy takes to arrive. Subscribers read so; the in-process hub
 * has one copy and ignores it.
 */
export interface ReadOptions {
  liveCopy?: boolean;
}

/** What the hub holds now, for gauges and memory tests. */
export interface HubStats {
  /** Topics with state (a log, listeners or signals). */
  topics: number;
  /** Retained events over all topics. */
  events: number;
  /** Bytes the retained events are counted as (see the implementation for how). */
  retainedBytes: number;
}

/**
 * The transport-agnostic core: per-topic ordered logs with offsets and an
 * epoch, bounded retention, and live fan-out. Transports read from it and
 * listen to it; features publish to it. Nothing here knows about HTTP or sockets.
 * Read/publish are async so a Redis-backed hub can implement the same interface.
 */
export interface Hub {
  /** Appends an event; resolves once it has its offset and has been fanned out. */
  publish(topic: Topic, type: string, payload: unknown): Promise<EventEnvelope>;
  /**
   * Shared hubs (Redis) only: `publish`, refused with StaleFenceError unless `fence.key`
   * holds `fence.token`, and atomically with it the fence's record (and list) written.
   */
  publishFenced?(topic: Topic, type: string, payload: unknown, fence: PublishFence): Promise<EventEnvelope>;
  /** Events strictly after `position` (null: none, start at the live end), or a reset. */
  read(topic: Topic, position: Position | null, limit?: number, options?: ReadOptions): Promise<ReadResult>;
  /** The position of the newest event (offset 0 when the topic is empty) and when it was published (0: never). */
  head(topic: Topic, options?: ReadOptions): Promise<Position & { publishedAt: number }>;
  /**
   * Live events (and, if given, signals) of a topic from now on, in order. Returns the unsubscribe.
   * A listener that throws is reported by the hub; it stops neither the other listeners nor `publish`.
   * Events reach listeners gap-free: where a hub cannot deliver one in sequence, it calls `onLost` instead
   * (the in-process hub never does). A `read` issued after `listen` misses nothing published after it.
   */
  listen(topic: Topic, listener: EventListener, onSignal?: SignalListener, onLost?: LostListener): () => void;
  /** Sends an ephemeral signal: live listeners get it now; polls see it until it expires. Never logged. */
  signal(topic: Topic, type: string, payload: unknown): Promise<Signal>;
  /** Unexpired signals of a topic newer than `sinceTs`, oldest first. */
  recentSignals(topic: Topic, sinceTs: number, options?: ReadOptions): Promise<Signal[]>;
  /** Number of live listeners, for gauges and leak tests. */
  listenerCount(): number;
  /** Topics, retained events and retained bytes, for gauges. */
  stats(): HubStats;
  close(): Promise<void>;
}
