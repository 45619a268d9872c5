import { z } from "zod";
import { defineProtocolFeature } from "../feature-module";
import { API_PREFIX } from "../paths";
import type { Topic } from "../topics";
import { TRANSPORT_NAMES, type TransportName } from "../transports";

/*
 * Feature flags (docs/protocol.md, "Feature flags").
 *
 * - Flags are written in the flagd definition format and evaluated by the
 *   realtime service (OpenFeature server SDK over flagd-core). Browsers read
 *   them over OFREP, which the service implements: `POST /ofrep/v1/evaluate/flags`
 *   (bulk, ETag/304), `POST /ofrep/v1/evaluate/flags/<key>` (one flag) and a
 *   change stream `GET /ofrep/v1/events` (SSE, `refetchEvaluation`).
 * - The topic `flags:changes` tells every signed-in client, on whatever
 *   transport it is on, that flags changed: a client whose SSE is disabled or
 *   blocked still hears of it and refetches.
 * - The evaluation context is the signed-in user: `targetingKey` is their id,
 *   and the service never takes another from the request.
 */

/** The flags the service and the web app read, by key (the default definitions: apps/realtime/flags/flags.json). */
export const FLAG_KEYS = {
  defaultTransport: "transport.default",
  chatTransport: "transport.chat",
  notificationsTransport: "transport.notifications",
  gameTransport: "transport.game",
  pollingIntervalMs: "polling.interval-ms",
  longPollHoldMs: "long-polling.hold-ms",
  gameTickHz: "game.tick-hz",
} as const;

/** The kill switch of a transport: `false` takes it out of service. */
export function transportEnabledFlag(transport: TransportName): string {
  return `transport.${transport}.enabled`;
}

/** A feature's transport flag may say `default`: follow `transport.default`. */
export const FOLLOW_DEFAULT_TRANSPORT = "default";
export const FeatureTransportValue = z.enum([FOLLOW_DEFAULT_TRANSPORT, ...TRANSPORT_NAMES]);

export const FLAGS_TOPIC: Topic = "flags:changes";

export const FLAGS_EVENTS = {
  /** The definitions changed: refetch your evaluations (the new config's etag, the flag keys that changed). */
  changed: "flags.changed",
} as const;

/** The largest spread a change announces: a switch still lands within about 2 s of the change. */
export const FLAGS_SPREAD_MAX_MS = 1500;

export const FlagsEvent = z.discriminatedUnion("type", [
  z.object({
    type: z.literal(FLAGS_EVENTS.changed),
    payload: z.object({
      etag: z.string(),
      flagsChanged: z.array(z.string()),
      /**
       * Spread your re-evaluation uniformly over this many ms (at least): the server
       * sizes it to its audience, so a thousand clients hearing one change do not all ask at once.
       */
      spreadMs: z.number().int().min(0).max(FLAGS_SPREAD_MAX_MS).optional(),
    }),
  }),
]);
export type FlagsEvent = z.infer<typeof FlagsEvent>;

// ---------------------------------------------------------------------------
// OFREP (OpenFeature Remote Evaluation Protocol), as this service serves it

export const OFREP_PATHS = {
  bulk: "/ofrep/v1/evaluate/flags",
  single: (key: string) => `/ofrep/v1/evaluate/flags/${encodeURIComponent(key)}`,
  events: "/ofrep/v1/events",
} as const;

export const OFREP_ROUTES = { bulk: OFREP_PATHS.bulk, single: "/ofrep/v1/evaluate/flags/:key", events: OFREP_PATHS.events } as const;

const FlagMetadata = z.record(z.string(), z.union([z.boolean(), z.string(), z.number()]));

/** Request body of both evaluation endpoints. `targetingKey` must be the signed-in user's id. */
export const OfrepRequest = z.object({ context: z.record(z.string(), z.unknown()).optional() });

export const OfrepErrorCode = z.enum(["PARSE_ERROR", "TARGETING_KEY_MISSING", "INVALID_CONTEXT", "FLAG_NOT_FOUND", "GENERAL"]);

export const OfrepEvaluation = z.object({
  key: z.string(),
  value: z.json(),
  reason: z.string(),
  variant: z.string().optional(),
  metadata: FlagMetadata.optional(),
});
export type OfrepEvaluation = z.infer<typeof OfrepEvaluation>;

export const OfrepEvaluationError = z.object({ key: z.string(), errorCode: OfrepErrorCode, errorDetails: z.string().optional() });

/** `400` of either endpoint (a context it cannot evaluate with). */
export const OfrepRequestError = z.object({ errorCode: OfrepErrorCode, errorDetails: z.string().optional() });

/** Where the change stream is: `endpoint.requestUri` is relative to the OFREP base URL the client was given. */
export const OfrepEventStream = z.object({
  type: z.literal("sse"),
  endpoint: z.object({ requestUri: z.string() }),
  inactivityDelaySec: z.number().int().positive().optional(),
});

/** `200` of the bulk endpoint (with an `ETag`; `304` when `If-None-Match` still matches). */
export const OfrepBulkResponse = z.object({
  flags: z.array(z.union([OfrepEvaluation, OfrepEvaluationError])),
  metadata: FlagMetadata.optional(),
  eventStreams: z.array(OfrepEventStream).optional(),
});
export type OfrepBulkResponse = z.infer<typeof OfrepBulkResponse>;

/** One message on the change stream. */
export const OfrepStreamMessage = z.object({ type: z.literal("refetchEvaluation"), etag: z.string(), lastModified: z.number().int() });

// ---------------------------------------------------------------------------
// Administration (an operator: `Authorization: Bearer <OPERATOR_TOKEN>`, or the operator
// session cookie that `POST /v1/admin/session { secret }` sets; never a guest session)

/** The HttpOnly cookie holding a short-lived signed operator token (path `/v1/admin`). */
export const OPERATOR_SESSION_COOKIE = "sb_operator";

export const flagsAdminPaths = {
  /** POST `{ secret }` sets the operator cookie; GET: who am I; DELETE: sign out. */
  session: `${API_PREFIX}/admin/session`,
  /** POST `{ definitions }`: who among the users connected now would get a different value. */
  preview: `${API_PREFIX}/admin/flags/preview`,
  /** GET the definitions in force; PUT new ones (`If-Match: <etag>`). */
  flags: `${API_PREFIX}/admin/flags`,
  /** GET the audit log, newest first (`?before&limit`). */
  changes: `${API_PREFIX}/admin/flags/changes`,
  /** POST: put back what the last change replaced (`If-Match: <etag>`). */
  undo: `${API_PREFIX}/admin/flags/undo`,
} as const;

const FlagDocument = z.record(z.string(), z.unknown());
const Reason = z.string().trim().min(1, "Say why (reason)").max(500, "A reason is at most 500 characters");

export const FlagsAdminResponse = z.object({
  definitions: FlagDocument,
  etag: z.string(),
  /** `file` until an operator saves; then `database` (every instance loads that). */
  source: z.enum(["file", "database"]),
  updatedAt: z.string().datetime().nullable(),
  updatedBy: z.string().nullable(),
});
export type FlagsAdminResponse = z.infer<typeof FlagsAdminResponse>;

export const FlagsUpdateRequest = z.object({ definitions: FlagDocument, reason: Reason });
export const FlagsUndoRequest = z.object({ reason: Reason });
export const FlagsUpdateResponse = z.object({ etag: z.string(), flagsChanged: z.array(z.string()) });
export type FlagsUpdateResponse = z.infer<typeof FlagsUpdateResponse>;

export const FlagChangeEntry = z.object({
  id: z.string(),
  at: z.string().datetime(),
  actor: z.string(),
  reason: z.string(),
  before: FlagDocument,
  after: FlagDocument,
  flagsChanged: z.array(z.string()),
});
export const FlagChangesQuery = z.object({
  before: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export const FlagChangesResponse = z.object({ changes: z.array(FlagChangeEntry), nextBefore: z.string().nullable() });
export type FlagChangesResponse = z.infer<typeof FlagChangesResponse>;

/** At most this long: the secret is compared as a hash, but nobody needs more. */
export const OperatorSignInRequest = z.object({ secret: z.string().min(1, "Enter the operator secret").max(1024, "Too long for an operator secret") });

/** `operator: false` is a plain answer (no credential), not an error. */
export const OperatorSessionResponse = z.object({
  operator: z.boolean(),
  /** How the request proved it: the session cookie or the bearer token. */
  via: z.enum(["session", "token"]).nullable(),
  /** When the operator session ends (null for the bearer token or no session). */
  expiresAt: z.string().datetime().nullable(),
});
export type OperatorSessionResponse = z.infer<typeof OperatorSessionResponse>;

export const FlagsPreviewRequest = z.object({ definitions: FlagDocument });

/** A variant label for a user a flag is off or missing for. */
export const NO_VARIANT = "(none)";

export const FlagPreview = z.object({
  flag: z.string(),
  /** Connected users (de-duplicated) whose value of this flag would change. */
  affected: z.number().int().nonnegative(),
  /** Users per variant now and after the change (`NO_VARIANT` when off or missing). */
  before: z.record(z.string(), z.number().int().nonnegative()),
  after: z.record(z.string(), z.number().int().nonnegative()),
  /** Who goes where, largest first: `{ from: "websocket", to: "sse", users: 36 }`. */
  moves: z.array(z.object({ from: z.string(), to: z.string(), users: z.number().int().positive() })),
});
export type FlagPreview = z.infer<typeof FlagPreview>;

export const FlagsPreviewResponse = z.object({
  /** Distinct users connected to this instance right now (open streams, sockets, held long polls, recent short polls). */
  connectedUsers: z.number().int().nonnegative(),
  /** Keys the change adds, removes or changes, whether or not anyone connected is affected. */
  flagsChanged: z.array(z.string()),
  /** One entry per changed flag. */
  flags: z.array(FlagPreview),
});
export type FlagsPreviewResponse = z.infer<typeof FlagsPreviewResponse>;

export const flagsProtocol = defineProtocolFeature({
  name: "flags",
  topicKinds: ["flags"],
  commands: {},
  events: FlagsEvent,
});
