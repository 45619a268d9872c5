import type { FastifyHttpOptions } from "fastify";
import type { Server } from "node:http";
import type { ServerConfig } from "../config";

type Options = Pick<FastifyHttpOptions<Server>, "http" | "requestTimeout" | "trustProxy" | "forceCloseConnections" | "return503OnClosing">;

/**
 * Connection-level Fastify options (F8, F5, F15).
 *
 * `requestTimeout` bounds only how long a client may take to *send* its request (headers and
 * body): a slow-body client is cut with 408. It does not bound how long a response is held, so
 * long polls and SSE streams are unaffected. Headers get a shorter bound; Node checks both every
 * `connectionsCheckingInterval`, so that interval sets the precision. `connectionTimeout` (socket
 * idleness) stays off: a held long poll sends nothing for up to 120 s, and idle keep-alive
 * sockets are already bounded by `keepAliveTimeout` (Fastify's 72 s).
 */
export function serverOptions(config: ServerConfig): Options {
  const requestTimeout = config.requestTimeoutMs;
  const headersTimeout = Math.min(15_000, requestTimeout);
  return {
    requestTimeout,
    http: {
      requestTimeout,
      headersTimeout,
      connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(headersTimeout / 4))),
    },
    trustProxy: trustProxyOption(config.trustProxy),
    // close() drains (see drain.ts): only idle keep-alive sockets are closed at once.
    forceCloseConnections: "idle",
    // Requests that arrive while draining get the service's own typed 503 (drain.ts).
    return503OnClosing: false,
  };
}

export function trustProxyOption(value: ServerConfig["trustProxy"]): Options["trustProxy"] {
  // A hop count: trust the nearest `value` hops (Fastify's types have no number form).
  if (typeof value === "number") return (_address: string, hop: number) => hop < value;
  return value;
}
