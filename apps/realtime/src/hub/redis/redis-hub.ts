import { randomBytes, randomUUID } from "node:crypto";
import { ProtocolError, Signal, topicKind, type EventEnvelope, type Position, type Topic } from "@repo/protocol";
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import { z } from "zod";
import { encodingOf } from "../event-encoding";
import { StaleFenceError, type EventListener, type Hub, type HubStats, type LostListener, type ReadResult, type SignalListener } from "../hub";
import { DEFAULT_TOPIC_IDLE_MS, type RetentionPolicy, type TopicRetention } from "../memory-hub";
import { FENCED_PUBLISH_SCRIPT, PUBLISH_SCRIPT, READ_SCRIPT } from "./hub-scripts";
import { runScript } from "./run-script";
import { createTopicWindows, type WindowLimits, type WindowSeed } from "./topic-windows";

export interface RedisHubOptions {
  /** The command connection (the caller's: the hub never closes it). A second one, for pub/sub, is made from it. */
  redis: Redis;
  retention: RetentionPolicy;
  /** Prefix of every key and channel, so that several services (or tests) can share one Redis. */
  keyPrefix?: string;
  /** This instance's name in Redis's CLIENT LIST (its pub/sub connection is `<name>:live`). */
  instanceName?: string;
  now?: () => number;
  /** Called when a listener throws; fan-out goes on to the next listener. */
  onListenerError?: (error: unknown, topic: Topic) => void;
  /** The pub/sub connection dropped and came back: listeners were told to re-read (for logs). */
  onLiveResumed?: (topics: number) => void;
  /** Bounds of the per-instance windows that answer `liveCopy` reads (topic-windows.ts). */
  windows?: Partial<WindowLimits>;
}

interface LiveTopic {
  listeners: Set<EventListener>;
  signalListeners: Set<SignalListener>;
  lostListeners: Set<LostListener>;
  /** Settles once the channel is subscribed: a read waits for it, so no event can fall between the read and live. */
  subscribed: Promise<void>;
  /** The newest event delivered live, to see a gap (null: none yet since (re)subscribing). */
  last: Position | null;
  /**
   * Resubscribing after the live connection came back, until the listeners are told to
   * re-read: live events are not delivered meanwhile (they are in the log, and the re-read
   * gets them), or one could move a follower past events it missed while the channel was down.
   */
  resyncing: boolean;
}

const ReadReply = z.tuple([
  z.string(),
  z.number(),
  z.number(),
  z.number(),
  z.array(z.tuple([z.string(), z.array(z.string())])),
]);
const PublishReply = z.tuple([z.number(), z.string()]);
const StoredEvent = z.object({ type: z.string(), payload: z.unknown() });

/** Epochs are random: a topic whose history Redis lost (eviction, restart, expiry) never reuses one. */
function newEpoch(): string {
  return randomBytes(6).toString("base64url");
}

function unavailable(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  // The cause stays here: it names internal hosts and ports.
  return new ProtocolError("unavailable", "The event store is unreachable; try again");
}

/** Bytes of decoded events an instance keeps (their JSON size): about a second of a busy audience's topics. */
const DECODED_EVENTS_BYTES = 16 * 1024 * 1024;

/**
 * Events read from Redis, decoded once per instance: a log entry never changes (its topic,
 * epoch and offset name it), and a thousand pollers read the same few entries each second.
 * One shared object per event also shares its JSON encoding (event-encoding.ts), so a poll
 * answer splices it in instead of stringifying it again. Bounded by the events' JSON bytes.
 */
function decodedEvents() {
  const cache = new LRUCache<string, EventEnvelope>({ maxSize: DECODED_EVENTS_BYTES, sizeCalculation: (event) => Math.max(1, encodingOf(event).bytes) });
  return (topic: Topic, epoch: string, offset: number, decode: () => { type: string; payload: unknown; ts: number }): EventEnvelope => {
    const key = `${topic}\u0000${epoch}\u0000${offset}`;
    let event = cache.get(key);
    if (event === undefined) {
      const { type, payload, ts } = decode();
      event = { topic, epoch, offset, type, payload, ts };
      cache.set(key, event);
    }
    return event;
  };
}

type DecodedEvents = ReturnType<typeof decodedEvents>;

/** A log entry's fields (t, ts, d, data) as an event. */
function entryToEvent(decoded: DecodedEvents, topic: Topic, epoch: string, id: string, fields: string[]): EventEnvelope {
  const at = (name: string) => fields[fields.indexOf(name) + 1] ?? "";
  return decoded(topic, epoch, Number.parseInt(id, 10), () => ({ ...StoredEvent.parse(JSON.parse(at("d"))), ts: Number(at("t")) }));
}

/**
 * The hub on Redis, for several instances serving one audience. Each topic is
 * a stream whose entry ids are its offsets, with its epoch and head in a small
 * hash; one script assigns the offset, appends with bounded retention and
 * publishes the live copy (hub-scripts.ts). Live delivery is pub/sub on a
 * dedicated connection, one channel per listened topic.
 *
 * No gap is ever delivered silently: a read waits until its topic's channel is
 * subscribed (so nothing published after the read can be missed), a live event
 * that does not follow the last one by exactly one offset is not delivered, and
 * after the pub/sub connection comes back every listened topic's `onLost` fires:
 * their followers re-read from their own positions, which yields the missing
 * events or an explicit reset (history lost through eviction, a restart or an
 * expired key shows as a new epoch or a trimmed log).
 *
 * Bounds: per topic by count (exact MAXLEN) and age (trimmed at publish and
 * read, and the log's TTL); topics nobody uses expire (`topicIdleMs`). Bytes
 * are Redis's own to bound (`maxmemory`); an eviction is a reset, not a gap.
 */
export function createRedisHub(options: RedisHubOptions): Hub {
  const { redis, retention } = options;
  const prefix = options.keyPrefix ?? "sb:";
  const now = options.now ?? Date.now;
  const signalTtlMs = retention.signalTtlMs ?? 4000;
  const defaults: Required<Pick<TopicRetention, "count" | "ageMs" | "topicIdleMs">> = {
    count: retention.count,
    ageMs: retention.ageMs,
    topicIdleMs: retention.topicIdleMs ?? DEFAULT_TOPIC_IDLE_MS,
  };
  const limitsOf = (topic: Topic) => ({ ...defaults, ...retention.kinds?.[topicKind(topic)] });
  const keys = (topic: Topic) => [`${prefix}{${topic}}:log`, `${prefix}{${topic}}:meta`];
  const signalKey = (topic: Topic) => `${prefix}{${topic}}:signals`;
  const eventChannel = (topic: Topic) => `${prefix}ev:${topic}`;
  const signalChannel = (topic: Topic) => `${prefix}sig:${topic}`;

  const live = new Map<Topic, LiveTopic>();
  const decoded = decodedEvents();
  let listenerTotal = 0;
  let closed = false;
  let readyOnce = false;

  // Resubscribing is done here, not by ioredis, so that the topics are told to re-read only once it is done.
  const sub = redis.duplicate({
    autoResubscribe: false,
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    connectionName: `${options.instanceName ?? "switchboard"}:live`,
  });
  sub.on("error", () => {
    // Reconnects on its own; the state is reported through commands failing and `onLost`.
  });
  // Whatever was published from now until it is back is not in any window.
  sub.on("close", () => windows.dropAll());
  sub.on("ready", () => {
    if (!readyOnce) {
      readyOnce = true;
      return;
    }
    void resumeLive();
  });
  sub.on("message", (channel: string, message: string) => {
    if (channel.startsWith(`${prefix}ev:`)) onEvent(channel.slice(prefix.length + 3), message);
    else if (channel.startsWith(`${prefix}sig:`)) onSignal(channel.slice(prefix.length + 4), message);
  });

  function report(error: unknown, topic: Topic) {
    try {
      options.onListenerError?.(error, topic);
    } catch {
      // A failing reporter must not break fan-out either.
    }
  }

  function tellLost(topic: Topic, entry: LiveTopic) {
    for (const listener of entry.lostListeners) {
      try {
        listener(topic);
      } catch (error) {
        report(error, topic);
      }
    }
  }

  function onEvent(topic: Topic, message: string) {
    const entry = live.get(topic);
    if (!entry || entry.resyncing) return;
    let event: EventEnvelope;
    try {
      const [epoch = "", offset = "", ts = ""] = message.split(" ", 3);
      const data = message.slice(epoch.length + offset.length + ts.length + 3);
      event = decoded(topic, epoch, Number(offset), () => ({ ...StoredEvent.parse(JSON.parse(data)), ts: Number(ts) }));
    } catch (error) {
      report(error, topic);
      return;
    }
    const last = entry.last;
    if (last && event.epoch === last.epoch && event.offset <= last.offset) return; // already delivered
    entry.last = { epoch: event.epoch, offset: event.offset };
    if (last && (event.epoch !== last.epoch || event.offset !== last.offset + 1)) {
      // Something between was missed: the followers re-read from where they are instead.
      tellLost(topic, entry);
      return;
    }
    for (const listener of entry.listeners) {
      try {
        listener(event);
      } catch (error) {
        report(error, topic);
      }
    }
  }

  function onSignal(topic: Topic, message: string) {
    const entry = live.get(topic);
    if (!entry || entry.signalListeners.size === 0) return;
    const parsed = Signal.safeParse(JSON.parse(message));
    if (!parsed.success) return;
    for (const listener of entry.signalListeners) {
      try {
        listener(parsed.data);
      } catch (error) {
        report(error, topic);
      }
    }
  }

  function subscribeChannels(topic: Topic): Promise<void> {
    return sub.subscribe(eventChannel(topic), signalChannel(topic)).then(
      () => undefined,
      () => undefined, // Redis is down: resumeLive subscribes again when it is back.
    );
  }

  /** The pub/sub connection is back: subscribe every topic again, then have their followers re-read. */
  async function resumeLive() {
    const topics = [...live.entries()];
    for (const [topic, entry] of topics) {
      entry.last = null;
      entry.resyncing = true;
      entry.subscribed = subscribeChannels(topic);
    }
    await Promise.all(topics.map(([, entry]) => entry.subscribed));
    for (const [topic, entry] of topics) {
      // The followers re-read now (from their own positions) and hold live events from here on.
      entry.resyncing = false;
      if (live.get(topic) === entry) tellLost(topic, entry);
    }
    options.onLiveResumed?.(topics.length);
  }

  async function runRead(topic: Topic, after: number, limit: number) {
    const limits = limitsOf(topic);
    const t = now();
    try {
      const reply = await runScript(redis, READ_SCRIPT, keys(topic), [after, limit, t - limits.ageMs, limits.topicIdleMs, newEpoch()]);
      const [epoch, head, publishedAt, firstOffset, entries] = ReadReply.parse(reply);
      return { epoch, head, publishedAt, firstOffset, entries };
    } catch (error) {
      throw unavailable(error);
    }
  }

  async function publishWith(topic: Topic, type: string, payload: unknown, script: string, extraKeys: string[], extraArgs: Array<string | number>): Promise<EventEnvelope> {
    // Encoded before anything is written: an unencodable payload is refused whole.
    const data = JSON.stringify({ type, payload });
    const limits = limitsOf(topic);
    const t = now();
    try {
      const reply = await runScript(redis, script, [...keys(topic), ...extraKeys], [
        data,
        t,
        limits.count,
        t - limits.ageMs,
        limits.ageMs,
        Math.max(limits.topicIdleMs, limits.ageMs),
        newEpoch(),
        eventChannel(topic),
        ...extraArgs,
      ]);
      const [offset, epoch] = PublishReply.parse(reply);
      const event: EventEnvelope = { topic, offset, epoch, type, payload, ts: t };
      windows.offer(event);
      return event;
    } catch (error) {
      if (error instanceof Error && error.message.includes("STALE_FENCE")) throw new StaleFenceError(topic);
      throw unavailable(error);
    }
  }

  /** `counted`: a subscriber's listener (the windows' own are not, so leak checks see only subscribers). */
  function listen(topic: Topic, listener: EventListener, onSignalListener: SignalListener | undefined, onLost: LostListener | undefined, counted: boolean) {
    let entry = live.get(topic);
    if (!entry) {
      entry = { listeners: new Set(), signalListeners: new Set(), lostListeners: new Set(), subscribed: Promise.resolve(), last: null, resyncing: false };
      live.set(topic, entry);
      entry.subscribed = subscribeChannels(topic);
    }
    const own = entry;
    own.listeners.add(listener);
    if (onSignalListener) own.signalListeners.add(onSignalListener);
    if (onLost) own.lostListeners.add(onLost);
    if (counted) listenerTotal++;
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      own.listeners.delete(listener);
      if (onSignalListener) own.signalListeners.delete(onSignalListener);
      if (onLost) own.lostListeners.delete(onLost);
      if (counted) listenerTotal--;
      if (own.listeners.size === 0 && own.signalListeners.size === 0 && live.get(topic) === own) {
        live.delete(topic);
        if (!closed) sub.unsubscribe(eventChannel(topic), signalChannel(topic)).catch(() => {});
      }
    };
  }

  async function storedSignals(topic: Topic, sinceTs: number): Promise<Signal[]> {
    const oldest = Math.max(sinceTs, now() - signalTtlMs);
    let stored: string[];
    try {
      stored = await redis.zrangebyscore(signalKey(topic), `(${oldest}`, "+inf");
    } catch (error) {
      throw unavailable(error);
    }
    return stored.flatMap((json) => {
      const parsed = Signal.safeParse(JSON.parse(json));
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** A window's seed: where the log ends, then its newest events from a little before (the head may move between). */
  async function seedWindow(topic: Topic, events: number): Promise<WindowSeed> {
    const { epoch, head } = await runRead(topic, -1, 0);
    const limit = events + 64;
    const tail = await runRead(topic, Math.max(0, head - events), limit); // offsets start at 1; -1 would mean none
    return {
      epoch: tail.epoch,
      head: tail.head,
      publishedAt: tail.publishedAt,
      events: tail.entries.map(([id, fields]) => entryToEvent(decoded, topic, tail.epoch, id, fields)),
      partial: tail.epoch !== epoch || tail.entries.length === limit,
      signals: await storedSignals(topic, 0),
    };
  }

  const windows = createTopicWindows({
    limits: options.windows,
    now,
    signalTtlMs,
    ageMsOf: (topic) => limitsOf(topic).ageMs,
    listen(topic, onEvent, onSignal, onLost) {
      const stop = listen(topic, onEvent, onSignal, onLost, false);
      return { subscribed: live.get(topic)?.subscribed ?? Promise.resolve(), stop };
    },
    seed: seedWindow,
    liveConnected: () => sub.status === "ready",
  });

  // A topic somebody listens to is kept (as the memory hub keeps it): its meta's idle timer is pushed back.
  const keepAlive = setInterval(
    () => {
      if (live.size === 0 || closed) return;
      const pipeline = redis.pipeline();
      for (const topic of live.keys()) pipeline.pexpire(keys(topic)[1]!, limitsOf(topic).topicIdleMs);
      pipeline.exec().catch(() => {});
    },
    Math.max(10, Math.min(defaults.topicIdleMs, 60_000) / 2),
  );
  keepAlive.unref();

  return {
    publish: (topic, type, payload) => publishWith(topic, type, payload, PUBLISH_SCRIPT, [], []),

    async publishFenced(topic, type, payload, fence) {
      const keys = [fence.key, fence.record.key, fence.append?.key ?? fence.record.key];
      const args = [fence.token, fence.record.value, fence.record.ttlMs, ...(fence.append?.values ?? [])];
      return publishWith(topic, type, payload, FENCED_PUBLISH_SCRIPT, keys, args);
    },

    async read(topic, position, limit = 1000, readOptions): Promise<ReadResult> {
      if (readOptions?.liveCopy) {
        const copy = await windows.read(topic, position, limit);
        if (copy) return { kind: "events", ...copy };
      }
      await live.get(topic)?.subscribed;
      const { epoch, head, firstOffset, entries } = await runRead(topic, position?.offset ?? -1, limit);
      const headPosition: Position = { epoch, offset: head };
      if (position === null) return { kind: "events", events: [], position: headPosition };
      if (position.epoch !== epoch || position.offset > head) {
        return { kind: "reset", reset: { topic, reason: "unknown_epoch", position: headPosition } };
      }
      // The oldest offset a client may still resume from is the one just before the oldest retained event.
      if (position.offset < firstOffset - 1) return { kind: "reset", reset: { topic, reason: "retention", position: headPosition } };
      const events = entries.map(([id, fields]) => entryToEvent(decoded, topic, epoch, id, fields));
      const last = events.at(-1);
      return { kind: "events", events, position: last ? { epoch, offset: last.offset } : position };
    },

    async head(topic, readOptions) {
      if (readOptions?.liveCopy) {
        const copy = await windows.head(topic);
        if (copy) return copy;
      }
      const { epoch, head, publishedAt } = await runRead(topic, -1, 0);
      return { epoch, offset: head, publishedAt };
    },

    listen: (topic, listener, onSignalListener, onLost) => listen(topic, listener, onSignalListener, onLost, true),

    async signal(topic, type, payload) {
      const signal: Signal = { topic, id: randomUUID(), type, payload, ts: now() };
      const json = JSON.stringify(signal);
      try {
        await redis
          .multi()
          .publish(signalChannel(topic), json)
          .zadd(signalKey(topic), signal.ts, json)
          .zremrangebyscore(signalKey(topic), "-inf", `(${signal.ts - signalTtlMs}`)
          .pexpire(signalKey(topic), signalTtlMs)
          .exec();
      } catch (error) {
        throw unavailable(error);
      }
      return signal;
    },

    async recentSignals(topic, sinceTs, readOptions) {
      if (readOptions?.liveCopy) {
        const copy = await windows.recentSignals(topic, sinceTs);
        if (copy) return copy;
      }
      return storedSignals(topic, sinceTs);
    },

    listenerCount: () => listenerTotal,

    /** What this process holds: the listened topics. Retained events live in Redis (bounded there). */
    stats: (): HubStats => ({ topics: live.size, events: 0, retainedBytes: 0 }),

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(keepAlive);
      windows.close();
      live.clear();
      listenerTotal = 0;
      sub.disconnect();
    },
  };
}
