import type { IncomingMessage } from "node:http";
import type { FastifyRequest } from "fastify";
import proxyaddr from "@fastify/proxy-addr";
import type { ServerConfig } from "../config";
import { trustProxyOption } from "./server-options";

/**
 * The client's address for a raw Node request (the WebSocket upgrade, which
 * never passes through Fastify's routing), with the same `trustProxy` rule as
 * Fastify's `request.ip`, so per-address limits see one address per client on
 * every transport.
 */
export function clientAddressOf(trustProxy: ServerConfig["trustProxy"]): (request: IncomingMessage) => string {
  const peer = (request: IncomingMessage) => request.socket.remoteAddress ?? "unknown";
  if (trustProxy === false) return peer;
  // The same option Fastify gets, so the two can never disagree.
  const option = trustProxyOption(trustProxy);
  const trust = option === true ? () => true : typeof option === "function" ? option : proxyaddr.compile(option as string[]);
  return (request) => proxyaddr(request, trust);
}

/** What a request whose address can no longer be read is charged to (see requestAddress). */
export const UNKNOWN_ADDRESS = "unknown";

/**
 * Fastify's `request.ip`, which reads the socket: once the client has gone,
 * the socket has no remote address and `request.ip` is undefined (despite its
 * type). Such a request is charged to one shared bucket, never let through
 * unlimited, and never reaches addressKey's parsing with nothing to parse.
 */
export function requestAddress(request: FastifyRequest): string {
  const ip: string | undefined = request.ip;
  return ip ?? UNKNOWN_ADDRESS;
}
