import { HTTP_PATHS, POLL_INTERVAL_HEADER } from "@repo/protocol";
import type { FastifyInstance } from "fastify";
import { readForbidden } from "../hub/topic-policy";
import type { TransportContext } from "./context";
import { PollIo } from "./poll-io";
import { sendPollAnswer } from "./poll-answer";
import { acceptSubscription, parseSignalsSince } from "./subscription-request";

/** Short polling: answer at once with whatever follows the cursor (bounded by events and bytes; `more` says poll again). */
export function registerPolling(app: FastifyInstance, context: TransportContext) {
  const { metrics, core, config } = context;

  app.get(HTTP_PATHS.poll, async (request, reply) => {
    metrics.requests.inc({ transport: "polling" });
    const { query, user, cursors, address } = await acceptSubscription(context, request, "poll");
    const io = new PollIo();
    const subscriber = core.subscriber({
      transport: "polling",
      user,
      ip: address,
      io,
      channels: core.sharedChannels,
      lifetimeBudget: config.pollAnswer,
      once: true,
    });
    try {
      await subscriber.subscribe(cursors);
      // Access to a topic was revoked while this poll read it: refused, as the next poll would be.
      if (io.revokedTopic) throw readForbidden(io.revokedTopic);
      // Each poll is a presence heartbeat: the user counts as reading these topics for another TTL.
      context.presence.touch(user, subscriber.topics());
      // The pause the operator wants between polls (the polling.interval-ms flag), on 200 and 304 alike.
      reply.header(POLL_INTERVAL_HEADER, String(await context.flags.pollingIntervalMs(user)));
      return await sendPollAnswer(context, "polling", reply, subscriber, io.batch, parseSignalsSince(query.signals), request.headers["if-none-match"]);
    } finally {
      subscriber.close();
    }
  });
}
