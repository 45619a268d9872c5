import { HTTP_PATHS, ProtocolError, type Topic } from "@repo/protocol";
import type { FastifyInstance } from "fastify";
import { readForbidden } from "../hub/topic-policy";
import type { Subscriber } from "../subscriptions/subscriber";
import type { TransportContext } from "./context";
import { PollIo } from "./poll-io";
import { isEmpty, sendPollAnswer } from "./poll-answer";
import { acceptSubscription, parseSignalsSince } from "./subscription-request";

/** On a busy stream, an answer waits until it carries this many events (or its linger ends). */
const LINGER_EVENTS = 4;

/**
 * Long polling: the same request as a short poll, held until at least one
 * event arrives or the timeout passes (default 25 s: under common load
 * balancer idle timeouts), then everything pending goes out in one batch,
 * bounded by events and bytes. When traffic is busy (the waking event follows
 * the previous one within LONG_POLL_LINGER_MS, so more are likely inside the
 * linger) the answer waits until it carries LINGER_EVENTS events, at most that
 * many inter-event gaps and LONG_POLL_LINGER_MS: a poll per event would cost a
 * request (and its CPU, here and in every proxy) per delivery. Slower traffic,
 * and a lone event, goes out at once: a linger shorter than the gap would only
 * add latency. A held poll is a connection like a stream: it counts against the
 * caps, holds presence, and ends with its session. A request the client
 * abandons is released immediately.
 */
export function registerLongPolling(app: FastifyInstance, context: TransportContext) {
  const { hub, metrics, config, core } = context;

  app.get(HTTP_PATHS.longPoll, async (request, reply) => {
    metrics.requests.inc({ transport: "long-polling" });
    const { query, user, cursors, address } = await acceptSubscription(context, request, "poll");
    const requested = query.timeout === undefined ? config.longPollTimeoutMs : Number(query.timeout);
    // The hold is the least of what the client asks, the config's cap and the long-polling.hold-ms flag.
    const timeoutMs = Math.min(requested, config.longPollTimeoutMs, await context.flags.longPollHoldMs(user));
    const signalsSince = parseSignalsSince(query.signals);

    const io = new PollIo();
    // Throws `rate_limited` at the connection caps, before anything is held.
    const subscriber = core.subscriber({
      transport: "long-polling",
      user,
      ip: address,
      io,
      channels: core.sharedChannels,
      lifetimeBudget: config.pollAnswer,
    });
    metrics.open.inc({ transport: "long-polling" });
    // Bound, not a closure: named closures cost a call each per request under tsx (pnpm bench --profile).
    const onClose = io.clientClosed.bind(io);
    request.raw.on("close", onClose);
    // The client may have left while the request was being authorized: its "close" has fired already.
    if (request.raw.destroyed || reply.raw.destroyed) io.clientGone = true;
    try {
      await subscriber.subscribe(cursors);
      // When the newest event was published, read only when the answer is about to wait (the linger needs it).
      let headTs = 0;
      if (mustWait(io, subscriber, timeoutMs)) {
        const heads = await Promise.all(subscriber.topics().map((topic: Topic) => hub.head(topic, { liveCopy: true })));
        headTs = Math.max(0, ...heads.map((head) => head.publishedAt));
      }
      if (mustWait(io, subscriber, timeoutMs)) {
        metrics.timers.inc();
        await io.waitForWake(timeoutMs);
        metrics.timers.dec();
        // Busy stream: wait for the events right behind this one (at most LINGER_EVENTS inter-event
        // gaps, capped by the config), so an answer carries about LINGER_EVENTS events, whatever the rate.
        const gap = io.firstEventAt - headTs;
        const linger = headTs > 0 && io.firstEventAt > 0 && gap < config.longPollLingerMs ? Math.min(LINGER_EVENTS * gap, config.longPollLingerMs) : 0;
        const lingerEnds = Date.now() + linger;
        while (lingering(io, subscriber, lingerEnds)) await io.waitForWake(lingerEnds - Date.now());
      }
      if (io.clientGone) {
        reply.hijack(); // nobody to answer
        return;
      }
      if (io.revokedTopic) throw readForbidden(io.revokedTopic);
      if (io.notice?.reason === "unauthorized") throw new ProtocolError("unauthorized", io.notice.message);
      return await sendPollAnswer(context, "long-polling", reply, subscriber, io.batch, signalsSince, request.headers["if-none-match"]);
    } finally {
      io.onWake = null;
      subscriber.close();
      request.raw.off("close", onClose);
      metrics.open.dec({ transport: "long-polling" });
    }
  });
}

/** Nothing more can come for this answer: the client left, a topic was revoked, the connection closes, or the budget is spent. */
function ended(io: PollIo, subscriber: Subscriber): boolean {
  return io.clientGone || io.revokedTopic !== null || io.notice !== null || subscriber.isSpent;
}

/** Nothing to answer yet, and the poll may be held. */
function mustWait(io: PollIo, subscriber: Subscriber, timeoutMs: number): boolean {
  return !ended(io, subscriber) && isEmpty(io.batch) && !io.signalled && timeoutMs > 0;
}

/** A busy stream's answer waits for the events right behind its first, until LINGER_EVENTS or the linger's end. */
function lingering(io: PollIo, subscriber: Subscriber, lingerEnds: number): boolean {
  return !ended(io, subscriber) && io.batch.resets.length === 0 && io.batch.events.length < LINGER_EVENTS && Date.now() < lingerEnds;
}
