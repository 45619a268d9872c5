import { PROTOCOL_VERSION, encodeCursor, type PollResponse } from "@repo/protocol";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { TransportContext } from "./context";
import { etagOf } from "./etag";
import { subscriberOf } from "./http-auth";
import { authorizedCursor, parseSignalsSince, readBatch, type Batch } from "./subscription-request";

type PollRequest = { Querystring: { cursor?: string; ticket?: string; signals?: string } };

/** Writes a poll answer (shared by short and long polling): 304 when empty and unchanged. */
export function sendBatch(
  context: TransportContext,
  transport: "polling" | "long-polling",
  reply: FastifyReply,
  batch: Batch,
  ifNoneMatch: string | undefined,
) {
  const cursor = encodeCursor(batch.positions);
  const etag = etagOf(cursor);
  const empty = batch.events.length === 0 && batch.resets.length === 0 && batch.signals.length === 0;
  const { metrics } = context;
  reply.header("cache-control", "private, no-cache").header("etag", etag);
  if (empty) metrics.empty.inc({ transport });
  if (batch.resets.length > 0) metrics.resets.inc({ transport }, batch.resets.length);
  if (empty && ifNoneMatch === etag) return reply.status(304).send();
  const body: PollResponse = {
    v: PROTOCOL_VERSION,
    events: batch.events,
    resets: batch.resets,
    cursor,
    more: batch.more,
    signals: batch.signals,
    signalsSince: batch.signalsSince,
  };
  const json = JSON.stringify(body);
  metrics.count("delivered", transport, batch.events.length);
  metrics.count("bytes", transport, Buffer.byteLength(json));
  return reply.type("application/json; charset=utf-8").send(json);
}

/** Short polling: answer at once with whatever follows the cursor. */
export function registerPolling(app: FastifyInstance, context: TransportContext) {
  app.get<PollRequest>("/v1/poll", async (request, reply) => {
    const { metrics } = context;
    metrics.requests.inc({ transport: "polling" });
    const user = await subscriberOf(context.auth, request);
    const cursors = await authorizedCursor(context.topics, user, request.query.cursor);
    // Each poll is a presence heartbeat: the user counts as reading these topics for another TTL.
    context.presence.touch(user, Object.keys(cursors));
    const batch = await readBatch(context.hub, cursors, parseSignalsSince(request.query.signals));
    return sendBatch(context, "polling", reply, batch, request.headers["if-none-match"]);
  });
}
