import { z } from "zod";
import { defineProtocolFeature } from "../feature-module";
import { API_PREFIX } from "../paths";
import { Position } from "../position";
import type { Topic } from "../topics";

/*
 * The transport lab (docs/protocol.md, "Lab"): a signed-in user starts a
 * synthetic stream on `lab:<streamId>` (readable by its owner only, on any instance) and reads
 * it over all four transports at once to compare them.
 *
 * - `lab.start { rate, payloadBytes, burstiness }` starts one; `lab.configure`
 *   changes any of the three live; `lab.stop` ends it.
 * - Each `lab.message` carries its sequence number and the server's send time
 *   (`sentAt`, ms since the Unix epoch), so a reader measures latency and gaps.
 * - `burstiness` 0 spaces a second's `rate` messages evenly; 1 sends them all
 *   at once at the start of the second; between, they are evenly spaced within
 *   the first (1 − burstiness) of each second.
 * - Bounds: LAB_LIMITS. More streams than allowed is `conflict`; a rate ×
 *   payload above the byte budget is `validation` (issue path payload.payloadBytes).
 * - A stream ends on `lab.stop`, at its maximum lifetime, when nobody has read
 *   its topic for a few seconds (presence), or when the instance shuts down;
 *   its last event is `lab.stopped` with the reason.
 * - Streams live on the instance that started them: `lab.configure` and
 *   `lab.stop` must reach that instance (on another one the stream is `not_found`).
 */

export const LAB_LIMITS = {
  rateMin: 1,
  rateMax: 200,
  payloadBytesMin: 16,
  payloadBytesMax: 16 * 1024,
  /** rate × payloadBytes above this is refused: one stream is read by four transports at once. */
  bytesPerSecondMax: 256 * 1024,
  /** Active streams per user (a reload may start a new one before the old one has noticed the page left). */
  streamsPerUser: 2,
  /** Active streams per instance. */
  streamsTotal: 50,
  /** A stream ends this long after it started, whatever happens. */
  maxLifetimeMs: 10 * 60_000,
  /** A stream nobody reads ends this long after its reader left (or after it started, if nobody came). */
  awayGraceMs: 3_000,
  startGraceMs: 15_000,
} as const;

/**
 * A stream id: its owner's user id, `_`, and 12 random URL-safe characters. The owner is in
 * the id so that any instance can tell who may read `lab:<streamId>` without knowing the
 * stream (it runs on the instance that started it).
 */
export const LAB_STREAM_ID_PATTERN = /^[A-Za-z0-9-]{1,48}_[A-Za-z0-9_-]{12}$/;
export const LabStreamId = z.string().regex(LAB_STREAM_ID_PATTERN, "Stream id must be <user id>_<12 URL-safe characters>");
export type LabStreamId = z.infer<typeof LabStreamId>;

export const LabRate = z.int().min(LAB_LIMITS.rateMin).max(LAB_LIMITS.rateMax);
export const LabPayloadBytes = z.int().min(LAB_LIMITS.payloadBytesMin).max(LAB_LIMITS.payloadBytesMax);
export const LabBurstiness = z.number().min(0).max(1);

export const LabSettings = z.object({ rate: LabRate, payloadBytes: LabPayloadBytes, burstiness: LabBurstiness });
export type LabSettings = z.infer<typeof LabSettings>;

export const LAB_STOP_REASONS = ["stopped", "expired", "away", "shutdown"] as const;
export const LabStopReason = z.enum(LAB_STOP_REASONS);
export type LabStopReason = z.infer<typeof LabStopReason>;

export const LabStream = z.object({
  streamId: LabStreamId,
  topic: z.string(),
  settings: LabSettings,
  /** Messages sent so far (the last sequence number). */
  sent: z.number().int().nonnegative(),
  startedAt: z.number(),
  expiresAt: z.number(),
});
export type LabStream = z.infer<typeof LabStream>;

export const LAB_EVENTS = { message: "lab.message", stopped: "lab.stopped" } as const;

export const LabMessage = z.object({
  streamId: LabStreamId,
  seq: z.number().int().positive(),
  /** The server's clock when it sent the message (ms since the Unix epoch). */
  sentAt: z.number(),
  /** Filler of the configured size (ASCII, so bytes = characters). */
  data: z.string(),
});
export type LabMessage = z.infer<typeof LabMessage>;

export const LabStopped = z.object({ streamId: LabStreamId, reason: LabStopReason, sent: z.number().int().nonnegative() });
export type LabStopped = z.infer<typeof LabStopped>;

export const LabEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal(LAB_EVENTS.message), payload: LabMessage }),
  z.object({ type: z.literal(LAB_EVENTS.stopped), payload: LabStopped }),
]);
export type LabEvent = z.infer<typeof LabEvent>;

export const labPaths = {
  /** GET: the caller's active streams on this instance, and how many the instance runs. */
  streams: `${API_PREFIX}/lab/streams`,
} as const;

export const LabStreamsResponse = z.object({ streams: z.array(LabStream), active: z.number().int().nonnegative() });
export type LabStreamsResponse = z.infer<typeof LabStreamsResponse>;

export const labProtocol = defineProtocolFeature({
  name: "lab",
  topicKinds: ["lab"],
  commands: {
    /** `position`: where the topic stands before the first message; subscribe from it to miss none. */
    "lab.start": { payload: LabSettings, result: LabStream.extend({ position: Position }) },
    "lab.configure": {
      payload: z.object({ streamId: LabStreamId, rate: LabRate.optional(), payloadBytes: LabPayloadBytes.optional(), burstiness: LabBurstiness.optional() }),
      result: LabStream,
    },
    "lab.stop": {
      payload: z.object({ streamId: LabStreamId }),
      result: z.object({ streamId: LabStreamId, sent: z.number().int().nonnegative() }),
    },
  },
  events: LabEvent,
});

export function labTopic(streamId: LabStreamId): Topic {
  return `lab:${streamId}`;
}

/** Whether `userId` owns the stream `streamId` (the id starts with theirs). */
export function ownsLabStream(userId: string, streamId: string): boolean {
  return streamId.length === userId.length + 13 && streamId.startsWith(`${userId}_`) && LAB_STREAM_ID_PATTERN.test(streamId);
}
