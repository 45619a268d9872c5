import { ProtocolError, type Topic } from "@repo/protocol";
import type { FastifyInstance } from "fastify";
import { readForbidden } from "../hub/topic-policy";
import type { TransportContext } from "./context";
import { subscriberOf } from "./http-auth";
import { collectingIo, type PollWake } from "./poll-io";
import { emptyBatch, isEmpty, sendPollAnswer } from "./poll-answer";
import { parseCursor, parseSignalsSince, parseSubscriptionQuery } from "./subscription-request";

/** Traffic counts as busy when the waking event follows the previous one this closely. */
const BUSY_GAP_MS = 1000;

/**
 * Long polling: the same request as a short poll, held until at least one
 * event arrives or the timeout passes (default 25 s: under common load
 * balancer idle timeouts), then everything pending goes out in one batch,
 * bounded by events and bytes. When traffic is busy (the waking event follows
 * the previous one within 1 s) the answer waits for the next event, at most two
 * inter-event gaps and LONG_POLL_LINGER_MS, to carry more events per request; a
 * lone event goes out at once. A held poll is a connection like a stream: it counts against the
 * caps, holds presence, and ends with its session. A request the client
 * abandons is released immediately.
 */
export function registerLongPolling(app: FastifyInstance, context: TransportContext) {
  const { hub, metrics, config, core } = context;

  app.get("/v1/long-poll", async (request, reply) => {
    metrics.requests.inc({ transport: "long-polling" });
    // Charged before anything else, authentication included: anonymous floods pay too.
    await context.addressLimits.consume("poll", request.ip);
    const query = parseSubscriptionQuery(request);
    const user = await subscriberOf(context.auth, request, query.ticket);
    const cursors = parseCursor(query.cursor);
    const requested = query.timeout === undefined ? config.longPollTimeoutMs : Number(query.timeout);
    const timeoutMs = Math.min(requested, config.longPollTimeoutMs);
    const signalsSince = parseSignalsSince(query.signals);

    const batch = emptyBatch();
    const why: PollWake = { revoked: null, notice: null, signalled: false };
    let firstEventAt = 0;
    let woken: (() => void) | null = null;
    const wake = (reason: Partial<PollWake>) => {
      Object.assign(why, reason);
      if (firstEventAt === 0 && batch.events.length > 0) firstEventAt = batch.events[0]!.ts;
      woken?.();
    };
    let clientGone = false;
    const onClose = () => {
      clientGone = true;
      woken?.();
    };
    // Throws `rate_limited` at the connection caps, before anything is held.
    const subscriber = core.subscriber({
      transport: "long-polling",
      user,
      ip: request.ip,
      io: collectingIo(batch, wake),
      channels: core.sharedChannels,
      lifetimeBudget: config.pollAnswer,
    });
    metrics.open.inc({ transport: "long-polling" });
    request.raw.on("close", onClose);
    // The client may have left while the request was being authorized: its "close" has fired already.
    if (request.raw.destroyed || reply.raw.destroyed) clientGone = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const heads = isEmpty(batch) ? await Promise.all(Object.keys(cursors).map((topic: Topic) => hub.head(topic))) : [];
      const headTs = Math.max(0, ...heads.map((head) => head.publishedAt));
      await subscriber.subscribe(cursors);
      const settled = () => clientGone || !isEmpty(batch) || why.signalled || why.revoked !== null || why.notice !== null || subscriber.isSpent;
      if (!settled() && timeoutMs > 0) {
        await new Promise<void>((resolve) => {
          woken = resolve;
          timer = setTimeout(resolve, timeoutMs);
          metrics.timers.inc();
        });
        clearTimeout(timer);
        metrics.timers.dec();
        // Busy stream: wait for the event right behind this one (at most two inter-event gaps,
        // capped by the config), so an answer carries about two events, whatever the rate.
        const gap = firstEventAt - headTs;
        const linger = headTs > 0 && firstEventAt > 0 && gap < BUSY_GAP_MS ? Math.min(2 * gap, config.longPollLingerMs) : 0;
        if (!clientGone && !why.revoked && !why.notice && !subscriber.isSpent && linger > 0) {
          // Until the next event (or anything else that wakes the request), at most `linger`.
          await new Promise<void>((resolve) => {
            woken = resolve;
            timer = setTimeout(resolve, linger);
          });
          clearTimeout(timer);
        }
      }
      if (clientGone) {
        reply.hijack(); // nobody to answer
        return;
      }
      if (why.revoked) throw readForbidden(why.revoked);
      if (why.notice?.reason === "unauthorized") throw new ProtocolError("unauthorized", why.notice.message);
      return await sendPollAnswer(context, "long-polling", reply, subscriber, batch, signalsSince, request.headers["if-none-match"]);
    } finally {
      woken = null;
      clearTimeout(timer);
      subscriber.close();
      request.raw.off("close", onClose);
      metrics.open.dec({ transport: "long-polling" });
    }
  });
}
