import type { IncomingMessage } from "node:http";
import proxyaddr from "@fastify/proxy-addr";
import type { ServerConfig } from "../config";

/**
 * The client's address for a raw Node request (the WebSocket upgrade, which
 * never passes through Fastify's routing), with the same `trustProxy` rule as
 * Fastify's `request.ip`, so per-address limits see one address per client on
 * every transport.
 */
export function clientAddressOf(trustProxy: ServerConfig["trustProxy"]): (request: IncomingMessage) => string {
  const peer = (request: IncomingMessage) => request.socket.remoteAddress ?? "unknown";
  if (trustProxy === false) return peer;
  const trust =
    trustProxy === true
      ? () => true
      : typeof trustProxy === "number"
        ? (_address: string, hop: number) => hop < trustProxy
        : proxyaddr.compile(trustProxy);
  return (request) => proxyaddr(request, trust);
}
