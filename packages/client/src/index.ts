export { createClient, RealtimeClient } from "./client";
export type {
  ClientEvents,
  ClientOptions,
  ClientStatus,
  CommandInput,
  EventHandler,
  ReadOptions,
  SubscribeOptions,
} from "./client-types";
export { createServiceApi, type ServiceApi, type ServiceApiOptions } from "./service-api";
export type { FlagsAdminApi } from "./flags-admin-api";
export { followTransportFlag, FLAG_FOLLOW_DEFAULTS, type FollowTransportFlagOptions } from "./flag-transport";
export type { FlagsEvaluation } from "./client";
export { createCommandId } from "./command-id";
export { ConnectionError, failureText, type ConnectionErrorCode } from "./errors";
export { backoffDelay, fullJitterDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff";
export type { ClientMetrics, LatencySnapshot } from "./metrics";
export type { WireEvent, WireHttpEvent, WireSocketEvent, WireSseEvent } from "./wire";
export { DEFAULT_TRANSPORTS } from "./default-transports";
export { DEFAULT_FALLBACK_CHAIN, type FallbackOptions, type MoveReason } from "./fallback";
export {
  browserFallbackMemory,
  memoryFallbackMemory,
  type FallbackMemory,
  type FallbackMemoryOptions,
  type FallbackRecord,
  type StorageLike,
} from "./fallback-memory";
export {
  BaseTransport,
  type Transport,
  type TransportFactory,
  type TransportHost,
  type TransportSettings,
  type TopicChange,
} from "./transport";
export { HttpPollTransport } from "./transports/http-poll";
export type { EventSourceConstructor, EventSourceLike } from "./transports/sse";
export type { FetchLike } from "./http";
// Re-exported so apps need one import for the typed errors, their words and cursors.
export {
  ProtocolError,
  errorText,
  type Position,
  type CursorMap,
  type EventEnvelope,
  type ResetSignal,
  type ClosingNotice,
  type Signal,
} from "@repo/protocol";
