import type { Socket } from "node:net";
import { httpStatusOf, type ErrorResponse } from "@repo/protocol";
import type { FastifyHttpOptions, FastifyReply } from "fastify";
import type { Server } from "node:http";

type Options = Pick<FastifyHttpOptions<Server>, "frameworkErrors" | "clientErrorHandler">;

/**
 * The answers Fastify and Node give before any route runs (a malformed URL,
 * headers past Node's 16 KiB limit, a request that never finishes arriving),
 * typed like every other error of the protocol instead of Fastify's own shape.
 */
export function frameworkErrorOptions(): Options {
  return {
    frameworkErrors(error, _request, reply) {
      const body: ErrorResponse = { error: { code: "validation", message: error.code === "FST_ERR_BAD_URL" ? "Malformed URL" : "Bad request" } };
      // Fastify types this reply by route generics that framework errors have none of.
      void (reply as unknown as FastifyReply).status(httpStatusOf("validation")).send(body);
    },
    clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
      // A reset connection has nobody to answer.
      if (error.code === "ECONNRESET" || socket.destroyed) return;
      const [status, body]: [number, ErrorResponse] =
        error.code === "HPE_HEADER_OVERFLOW"
          ? [httpStatusOf("payload_too_large"), { error: { code: "payload_too_large", message: "Request headers are too large" } }]
          : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
            ? [408, { error: { code: "validation", message: "The request took too long to arrive" } }]
            : [httpStatusOf("validation"), { error: { code: "validation", message: "Malformed HTTP request" } }];
      const json = JSON.stringify(body);
      if (socket.writable) {
        socket.write(`HTTP/1.1 ${status} ${status === 408 ? "Request Timeout" : status === 413 ? "Payload Too Large" : "Bad Request"}\r\n` +
          `Content-Length: ${Buffer.byteLength(json)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${json}`);
      }
      socket.destroy(error);
    },
  };
}
