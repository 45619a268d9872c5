import { httpStatusOf, ProtocolError, type ErrorResponse } from "@repo/protocol";
import type { FastifyError, FastifyInstance } from "fastify";
import { asProtocolError } from "./unexpected-error";

/** Turns anything thrown by a route into the protocol's typed error body. */
export function toProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ProtocolError("payload_too_large", "Request body is too large");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ProtocolError("validation", "Request body is not valid JSON");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ProtocolError("validation", "Send the body as application/json");
    default:
      break;
  }
  if (fastifyError.statusCode === 413) return new ProtocolError("payload_too_large", "Request body is too large");
  if (fastifyError.statusCode === 400) return new ProtocolError("validation", fastifyError.message ?? "Bad request");
  return asProtocolError(error, "Internal server error");
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error, request, reply) => {
    const protocolError = toProtocolError(error);
    if (protocolError.code === "internal") request.log.error({ err: error }, "unhandled error");
    else request.log.info({ code: protocolError.code, issues: protocolError.issues }, protocolError.message);
    const status = httpStatusOf(protocolError.code);
    if (protocolError.retryAfter !== undefined) reply.header("retry-after", Math.ceil(protocolError.retryAfter));
    const body: ErrorResponse = { error: protocolError.toBody() };
    return reply.status(status).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorResponse = { error: { code: "not_found", message: `No route for ${request.method} ${request.url.split("?")[0]}` } };
    return reply.status(404).send(body);
  });
}
