import { HTTP_PATHS, TRANSPORT_HEADER, httpStatusOf } from "@repo/protocol";
import type { FastifyInstance } from "fastify";
import { requestAddress } from "../http/client-address";
import { requireUser } from "../http/request-auth";
import { assertPlainPayload } from "../validation/payload-shape";
import type { TransportContext } from "./context";

/**
 * The upstream of the three HTTP transports: `POST /v1/commands`. The body is
 * handed to the same dispatcher the WebSocket uses; a failure maps its typed
 * code to the HTTP status (400, 403, 409, 413, 429…) with the same body shape.
 */
export function registerHttpCommands(app: FastifyInstance, context: TransportContext) {
  app.post(HTTP_PATHS.commands, async (request, reply) => {
    const user = await requireUser(context.auth, request);
    // The same shape check as socket frames, so one rule holds on every transport.
    assertPlainPayload(request.body, "command");
    const size = Number(request.headers["content-length"] ?? 0);
    const transportHeader = request.headers[TRANSPORT_HEADER];
    const transport = transportHeader === "polling" || transportHeader === "sse" ? transportHeader : "long-polling";
    const result = await context.dispatcher.dispatch(user, request.body, transport, size, requestAddress(request));
    // The header takes whole seconds; the body keeps the exact figure (a game input's is one tick).
    if (!result.ok && result.error.retryAfter !== undefined) reply.header("retry-after", Math.ceil(result.error.retryAfter));
    return reply.status(result.ok ? 200 : httpStatusOf(result.error.code)).send(result);
  });
}
