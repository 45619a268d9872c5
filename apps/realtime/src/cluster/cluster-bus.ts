import type { Redis } from "ioredis";
import { z } from "zod";

/** Bus channel of read revocations (a member left a room): `{ userId, topic }`. */
export const READ_REVOKED_CHANNEL = "read-revoked";
export const ReadRevokedMessage = z.object({ userId: z.string(), topic: z.string() });

/** Bus channel of saved flag definitions (an operator's edit or undo): `{ etag }`; the others reload at once. */
export const FLAGS_SAVED_CHANNEL = "flags-saved";
export const FlagsSavedMessage = z.object({ etag: z.string() });

/** A message handler of one bus channel. */
export type BusHandler = (message: string) => void;

/**
 * How the instances of one service tell each other things that must take effect
 * everywhere at once (a session signed out, a member who left a room). In one
 * process it is a plain in-memory fan-out; on Redis it is pub/sub on a
 * dedicated connection. Messages are hints with no history: each receiver
 * must stay correct without them (sessions are also re-checked in the database
 * every SESSION_REVALIDATE_MS), and a publish that fails is dropped.
 */
export interface ClusterBus {
  /** True when other instances hear what is published (Redis); false for the single-instance bus. */
  readonly shared: boolean;
  publish(channel: string, message: string): void;
  /** Handles the channel's messages, this instance's own included. Returns the removal. */
  subscribe(channel: string, handler: BusHandler): () => void;
  close(): Promise<void>;
}

function handlersOf(map: Map<string, Set<BusHandler>>, channel: string): Set<BusHandler> {
  let set = map.get(channel);
  if (!set) map.set(channel, (set = new Set()));
  return set;
}

function deliver(handlers: Set<BusHandler> | undefined, message: string) {
  for (const handler of handlers ?? []) {
    try {
      handler(message);
    } catch {
      // One handler's bug must not stop the others; each handler logs its own failures.
    }
  }
}

/** The single-instance bus. */
export function createLocalBus(): ClusterBus {
  const handlers = new Map<string, Set<BusHandler>>();
  return {
    shared: false,
    publish: (channel, message) => deliver(handlers.get(channel), message),
    subscribe(channel, handler) {
      handlersOf(handlers, channel).add(handler);
      return () => void handlers.get(channel)?.delete(handler);
    },
    async close() {
      handlers.clear();
    },
  };
}

/** The bus over Redis pub/sub (channels under `prefix`), for several instances. */
export function createRedisBus(redis: Redis, options: { prefix?: string; instanceName?: string } = {}): ClusterBus {
  const prefix = `${options.prefix ?? "sb:"}bus:`;
  const handlers = new Map<string, Set<BusHandler>>();
  const sub = redis.duplicate({
    autoResubscribe: true,
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    connectionName: `${options.instanceName ?? "switchboard"}:bus`,
  });
  sub.on("error", () => {
    // Reconnects and resubscribes on its own; a message missed meanwhile is covered by the receivers' own checks.
  });
  sub.on("message", (channel: string, message: string) => {
    if (channel.startsWith(prefix)) deliver(handlers.get(channel.slice(prefix.length)), message);
  });
  return {
    shared: true,
    publish(channel, message) {
      redis.publish(`${prefix}${channel}`, message).catch(() => {});
    },
    subscribe(channel, handler) {
      const set = handlersOf(handlers, channel);
      if (set.size === 0) sub.subscribe(`${prefix}${channel}`).catch(() => {});
      set.add(handler);
      return () => {
        set.delete(handler);
        if (set.size === 0) {
          handlers.delete(channel);
          sub.unsubscribe(`${prefix}${channel}`).catch(() => {});
        }
      };
    },
    async close() {
      handlers.clear();
      sub.disconnect();
    },
  };
}
