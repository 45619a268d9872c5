import type { TransportName } from "@repo/protocol";
import type { Transport, TransportHost } from "./transport";
import { LongPollingTransport } from "./transports/long-polling";
import { PollingTransport } from "./transports/polling";
import { SseTransport, type EventSourceConstructor } from "./transports/sse";
import { WebSocketTransport } from "./transports/websocket";

/** Per-transport settings, resolved from the client options. */
export interface TransportSettings {
  pollIntervalMs: number;
  longPollTimeoutMs: number;
  ackTimeoutMs: number;
  EventSource?: EventSourceConstructor;
}

/** Makes one transport instance (one connection lifetime) for a client. */
export type TransportFactory = (host: TransportHost, settings: TransportSettings) => Transport;

const registry = new Map<string, TransportFactory>([
  ["polling", (host, settings) => new PollingTransport(host, settings)],
  ["long-polling", (host, settings) => new LongPollingTransport(host, settings)],
  ["sse", (host, settings) => new SseTransport(host, settings)],
  ["websocket", (host, settings) => new WebSocketTransport(host, settings)],
] satisfies Array<[TransportName, TransportFactory]>);

/** Adds (or replaces) a transport by name, e.g. a WebTransport or a test double. */
export function registerTransport(name: string, factory: TransportFactory): void {
  registry.set(name, factory);
}

export function transportFactory(name: string): TransportFactory | undefined {
  return registry.get(name);
}

/** Names of every registered transport. */
export function transportNames(): string[] {
  return [...registry.keys()];
}
