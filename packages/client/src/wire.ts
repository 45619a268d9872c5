/**
 * Wire debug events: what the client puts on and takes off the wire, as it
 * happens, for inspectors (the web app's /lab) and debugging. Off by default:
 * producers ask their context for the tap first and build nothing when there
 * is none, so a client nobody inspects allocates nothing for this.
 *
 * Sizes are what the SDK can see: a browser hides cookies and the response
 * headers CORS does not expose, and SSE comments (heartbeats) never reach
 * EventSource; the figures are lower bounds there.
 */
export type WireEvent = WireHttpEvent | WireSseEvent | WireSocketEvent;

/** One HTTP request (poll, long poll, command, ticket, read), once it ended. */
export interface WireHttpEvent {
  kind: "http";
  /** When it ended (ms since the Unix epoch). */
  at: number;
  method: string;
  /** Path without the query (the query may hold an SSE ticket or a cursor). */
  path: string;
  /** 0: no answer (network failure, timeout, abort: see `error`). */
  status: number;
  requestHeaderBytes: number;
  requestBodyBytes: number;
  responseHeaderBytes: number;
  responseBodyBytes: number;
  durationMs: number;
  error?: string;
}

/** One SSE frame received, or the stream opening (`event: "open"`) or failing (`event: "error"`). */
export interface WireSseEvent {
  kind: "sse";
  at: number;
  event: string;
  /** The frame's `id:` (Last-Event-ID), "" when it has none. */
  id: string;
  dataBytes: number;
}

/** One engine.io packet, in or out; for `message` packets, the socket.io packet type inside. */
export interface WireSocketEvent {
  kind: "socket";
  at: number;
  direction: "in" | "out";
  /** engine.io packet type: open, close, ping, pong, message, upgrade, noop. */
  type: string;
  /** socket.io packet type of a message: CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR, BINARY_EVENT, BINARY_ACK. */
  packet?: string;
  /** Bytes of the packet's data (text frames) or its byte length (binary). */
  bytes: number;
}

export type WireTap = (event: WireEvent) => void;

const SOCKET_IO_PACKET_TYPES = ["CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR", "BINARY_EVENT", "BINARY_ACK"] as const;

/** The socket.io packet type a message packet's text starts with (its first character), when it names one. */
export function socketIoPacketType(data: string): string | undefined {
  const code = data.charCodeAt(0) - 48;
  return code >= 0 && code < SOCKET_IO_PACKET_TYPES.length ? SOCKET_IO_PACKET_TYPES[code] : undefined;
}

/** Header bytes as on an HTTP/1.1 wire: `name: value\r\n` each. */
export function headerBytes(headers: Iterable<[string, string]>): number {
  let bytes = 0;
  for (const [name, value] of headers) bytes += name.length + value.length + 4;
  return bytes;
}
