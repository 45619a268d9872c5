/**
 * Every HTTP path of the service, once. The service registers its routes
 * from these, and the SDK, the web app and the bench call them; a feature's
 * own reads live beside its module (e.g. chatPaths in features/chat.ts).
 */
export const API_PREFIX = "/v1";

export const HTTP_PATHS = {
  /** POST: sign in as a guest; GET: who am I; DELETE: sign out. */
  session: `${API_PREFIX}/session`,
  /** POST: a single-use ticket for an EventSource URL. */
  sseTicket: `${API_PREFIX}/sse/ticket`,
  /** POST: one command (the WebSocket sends them on its socket instead). */
  commands: `${API_PREFIX}/commands`,
  /** GET: short poll. */
  poll: `${API_PREFIX}/poll`,
  /** GET: long poll. */
  longPoll: `${API_PREFIX}/long-poll`,
  /** GET: Server-Sent Events stream. */
  sse: `${API_PREFIX}/sse`,
  /** socket.io's path (WebSocket transport only). */
  socket: `${API_PREFIX}/ws`,
  /** Liveness, readiness and Prometheus metrics (unversioned: for operators, not clients). */
  health: "/healthz",
  ready: "/readyz",
  metrics: "/metrics",
} as const;

/** Request header naming the transport a command came from (for metrics only). */
export const TRANSPORT_HEADER = "x-switchboard-transport";

/**
 * On every short-poll answer (200 and 304): the pause in ms the service asks
 * pollers to keep between polls (its `polling.interval-ms` flag). An SDK client
 * given no `pollIntervalMs` of its own follows it.
 */
export const POLL_INTERVAL_HEADER = "x-switchboard-poll-interval";
