export {
  createClient,
  RealtimeClient,
  type ClientEvents,
  type ClientOptions,
  type ClientStatus,
  type CommandInput,
  type EventHandler,
  type SubscribeOptions,
} from "./client";
export { createCommandId } from "./command-id";
export { ConnectionError, type ConnectionErrorCode } from "./errors";
export { fullJitterDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff";
export type { ClientMetrics, LatencySnapshot } from "./metrics";
export { registerTransport, transportNames, type TransportFactory, type TransportSettings } from "./registry";
export { BaseTransport, type Transport, type TransportHost, type TopicChange } from "./transport";
export { HttpPollTransport } from "./transports/http-poll";
export type { EventSourceConstructor, EventSourceLike } from "./transports/sse";
export type { FetchLike } from "./http";
// Re-exported so apps need one import for the typed errors and cursors.
export { ProtocolError, type Position, type CursorMap, type EventEnvelope, type ResetSignal, type ClosingNotice, type Signal } from "@repo/protocol";
