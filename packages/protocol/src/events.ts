import { z } from "zod";
import { CloseReason, ErrorBody } from "./errors";
import { Position } from "./position";
import { Topic } from "./topics";
import { TransportName } from "./transports";

/**
 * Envelope of every server→client event, on every transport. `offset` is
 * strictly increasing per topic within an `epoch`; `ts` is the server's clock
 * (ms since the Unix epoch) at publish time, used for delivery latency.
 */
export const EventEnvelope = z.object({
  topic: Topic,
  offset: z.number().int().positive(),
  epoch: z.string(),
  type: z.string().min(1).max(64),
  payload: z.unknown(),
  ts: z.number(),
});
export type EventEnvelope<TPayload = unknown> = Omit<z.infer<typeof EventEnvelope>, "payload"> & {
  payload: TPayload;
};

/**
 * The server cannot continue a topic from the client's cursor: the events
 * after it are no longer retained, or the epoch is unknown (history was lost).
 * The client must refetch the topic's state and continue from `position`.
 */
export const ResetReason = z.enum(["retention", "unknown_epoch"]);
export type ResetReason = z.infer<typeof ResetReason>;
export const ResetSignal = z.object({
  topic: Topic,
  reason: ResetReason,
  position: Position,
});
export type ResetSignal = z.infer<typeof ResetSignal>;

/**
 * An ephemeral message (e.g. "Ada is typing"): no offset, never stored in the
 * log, never replayed on resume. Streams push it live; polls carry the ones
 * newer than the `signals` query timestamp that have not yet expired (a few
 * seconds), so polling clients see them too.
 */
export const Signal = z.object({
  topic: Topic,
  /** Unique per signal, for de-duplication across polls. */
  id: z.string(),
  type: z.string().min(1).max(64),
  payload: z.unknown(),
  ts: z.number(),
});
export type Signal<TPayload = unknown> = Omit<z.infer<typeof Signal>, "payload"> & { payload: TPayload };

/** Body of a short or long poll: the batch after the cursor, and the next cursor. */
export const PollResponse = z.object({
  v: z.number().int(),
  events: z.array(EventEnvelope),
  resets: z.array(ResetSignal),
  /** Encoded cursor map to send with the next poll (see cursor.ts). */
  cursor: z.string(),
  /** More events are already waiting: poll again at once. */
  more: z.boolean(),
  /** Unexpired signals newer than the request's `signals` timestamp. */
  signals: z.array(Signal),
  /** Pass as `signals` on the next poll: the newest signal timestamp seen. */
  signalsSince: z.number(),
});
export type PollResponse = z.infer<typeof PollResponse>;

/**
 * The user may no longer read one followed topic (e.g. they left the chat
 * room). Streams and sockets stop delivering it and say so with this notice;
 * the other topics carry on. Polls answer the same case with a 403 whose issue
 * path names the topic (`["cursor", topic]`).
 */
export const RevokedNotice = z.object({ topic: Topic, error: ErrorBody });
export type RevokedNotice = z.infer<typeof RevokedNotice>;

/** Sent just before the server drops a stream or socket on purpose. */
export const ClosingNotice = z.object({
  reason: CloseReason,
  message: z.string(),
  /** Where to reconnect instead, for `transport_disabled`. */
  transport: TransportName.optional(),
});
export type ClosingNotice = z.infer<typeof ClosingNotice>;

/** SSE `event:` names. Plain `message` frames carry one EventEnvelope. */
export const SSE_EVENTS = {
  message: "message",
  reset: "reset",
  /** An ephemeral Signal (no id: never part of the resume cursor). */
  signal: "signal",
  /** A RevokedNotice: one topic is no longer readable; the stream goes on with the others. */
  revoked: "revoked",
  /** Sent once the backlog is out: `{ v, cursor }`, the stream is live from here. */
  ready: "ready",
  closing: "closing",
} as const;

/** socket.io event names. */
export const SOCKET_EVENTS = {
  subscribe: "subscribe",
  unsubscribe: "unsubscribe",
  command: "command",
  event: "event",
  reset: "reset",
  signal: "signal",
  revoked: "revoked",
  closing: "closing",
} as const;

export const StreamReady = z.object({ v: z.number().int(), cursor: z.string() });
export type StreamReady = z.infer<typeof StreamReady>;
