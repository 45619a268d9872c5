import type { TransportName } from "@repo/protocol";
import type { TransportFactory } from "./transport";
import { LongPollingTransport } from "./transports/long-polling";
import { PollingTransport } from "./transports/polling";
import { SseTransport } from "./transports/sse";
import { WebSocketTransport } from "./transports/websocket";

/**
 * The four transports built in, by name: what a client may use unless its
 * options name others (`transports: { ...DEFAULT_TRANSPORTS, webtransport }`).
 */
export const DEFAULT_TRANSPORTS: Readonly<Record<TransportName, TransportFactory>> = Object.freeze({
  polling: (host, settings) => new PollingTransport(host, settings),
  "long-polling": (host, settings) => new LongPollingTransport(host, settings),
  sse: (host, settings) => new SseTransport(host, settings),
  websocket: (host, settings) => new WebSocketTransport(host, settings),
});
