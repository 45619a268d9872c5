import {
  MAX_TOPICS_PER_SUBSCRIPTION,
  ProtocolError,
  decodeCursor,
  type CursorMap,
  type EventEnvelope,
  type Position,
  type ResetSignal,
  type Signal,
  type Topic,
  type User,
} from "@repo/protocol";
import type { Hub } from "../hub/hub";
import type { TopicPolicy } from "../hub/topic-policy";

/** Decodes and checks a cursor string from a query or Last-Event-ID: size, syntax, topic count. */
export function parseCursor(text: string | undefined): CursorMap {
  if (text === undefined || text === "") throw new ProtocolError("validation", "Pass the topics to follow as `cursor`");
  if (text.length > 4096) throw new ProtocolError("validation", "Cursor is too long");
  const cursors = decodeCursor(text);
  if (!cursors) throw new ProtocolError("validation", "Malformed cursor");
  const count = Object.keys(cursors).length;
  if (count === 0) throw new ProtocolError("validation", "Follow at least one topic");
  if (count > MAX_TOPICS_PER_SUBSCRIPTION) {
    throw new ProtocolError("validation", `Follow at most ${MAX_TOPICS_PER_SUBSCRIPTION} topics per subscription`);
  }
  return cursors;
}

export async function authorizedCursor(policy: TopicPolicy, user: User, text: string | undefined): Promise<CursorMap> {
  const cursors = parseCursor(text);
  await policy.assertCanRead(user, Object.keys(cursors));
  return cursors;
}

export interface Batch {
  events: EventEnvelope[];
  resets: ResetSignal[];
  positions: Record<Topic, Position>;
  /** Some topic hit the per-read limit: more is waiting. */
  more: boolean;
  signals: Signal[];
  /** Newest signal timestamp the client has now seen. */
  signalsSince: number;
}

/** The `signals` query parameter: the newest signal timestamp the client saw (0: none). */
export function parseSignalsSince(text: string | undefined): number {
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** One read of every topic after its cursor: what polling and long polling answer with. */
export async function readBatch(hub: Hub, cursors: CursorMap, signalsSince: number, limitPerTopic = 500): Promise<Batch> {
  // Every signal stamped before this millisecond is already stored, but another may still
  // arrive within it: the next poll asks from just before now (re-sent ones are dropped by id).
  const nextSignalsSince = Math.max(signalsSince, Date.now() - 1);
  const batch: Batch = { events: [], resets: [], positions: {}, more: false, signals: [], signalsSince: nextSignalsSince };
  for (const [topic, from] of Object.entries(cursors)) {
    batch.signals.push(...(await hub.recentSignals(topic, signalsSince)));
    const result = await hub.read(topic, from, limitPerTopic);
    if (result.kind === "reset") {
      batch.resets.push(result.reset);
      batch.positions[topic] = result.reset.position;
    } else {
      batch.events.push(...result.events);
      batch.positions[topic] = result.position;
      if (result.events.length === limitPerTopic) batch.more = true;
    }
  }
  return batch;
}
