import { PROTOCOL_VERSION, encodeCursor, type EventEnvelope, type PollResponse, type ResetSignal, type Signal, type Topic } from "@repo/protocol";
import type { FastifyReply } from "fastify";
import { encodingOf } from "../hub/event-encoding";
import type { Hub } from "../hub/hub";
import type { Subscriber } from "../subscriptions/subscriber";
import type { TransportContext } from "./context";
import { etagOf } from "./etag";

/** What a short or long poll collects before answering. */
export interface PollBatch {
  events: EventEnvelope[];
  resets: ResetSignal[];
}

export const isEmpty = (batch: PollBatch) => batch.events.length === 0 && batch.resets.length === 0;

/** Unexpired signals of the topics newer than `since`, and the `signalsSince` to hand back. */
export async function recentSignals(hub: Hub, topics: Topic[], since: number): Promise<{ signals: Signal[]; next: number }> {
  // Every signal stamped before this millisecond is already stored, but another may still
  // arrive within it: the next poll asks from just before now (re-sent ones are dropped by id).
  const next = Math.max(since, Date.now() - 1);
  const signals: Signal[] = [];
  for (const topic of topics) signals.push(...(await hub.recentSignals(topic, since, { liveCopy: true })));
  return { signals, next };
}

/** Writes a poll answer (shared by short and long polling): 304 when empty and unchanged. */
export async function sendPollAnswer(
  context: TransportContext,
  transport: "polling" | "long-polling",
  reply: FastifyReply,
  subscriber: Subscriber,
  batch: PollBatch,
  signalsSince: number,
  ifNoneMatch: string | undefined,
) {
  const { metrics } = context;
  // Where the answer leaves each topic and what it carries, taken together before the next
  // await: a revocation arriving meanwhile must not drop a topic from this cursor (the next poll
  // is refused for it instead), and an event arriving meanwhile (a shared hub's live feed while
  // the signals are read from Redis) is past this cursor, so it goes in the next answer, not twice.
  const positions = subscriber.positions();
  batch = { events: [...batch.events], resets: [...batch.resets] };
  const { signals, next } = await recentSignals(context.hub, Object.keys(positions), signalsSince);
  const cursor = encodeCursor(positions);
  const etag = etagOf(cursor);
  const empty = isEmpty(batch) && signals.length === 0;
  reply.header("cache-control", "private, no-cache").header("etag", etag);
  if (empty) metrics.empty.inc({ transport });
  if (batch.resets.length > 0) metrics.resets.inc({ transport }, batch.resets.length);
  if (empty && ifNoneMatch === etag) return reply.status(304).send();
  const json = pollResponseJson(batch.events, { v: PROTOCOL_VERSION, resets: batch.resets, cursor, more: subscriber.isSpent, signals, signalsSince: next });
  metrics.count("delivered", transport, batch.events.length);
  metrics.count("bytes", transport, Buffer.byteLength(json));
  return reply.type("application/json; charset=utf-8").send(json);
}

/**
 * The answer's JSON with each event's shared encoding spliced in: one event goes to
 * every poller of its topic, so it is stringified once at publish, not once per poll.
 */
function pollResponseJson(events: EventEnvelope[], rest: Omit<PollResponse, "events">): string {
  const head = JSON.stringify(rest);
  let list = "";
  for (const event of events) list += (list === "" ? "" : ",") + encodingOf(event).json;
  return `{"events":[${list}],${head.slice(1)}`;
}
