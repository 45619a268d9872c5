import type { Topic } from "@repo/protocol";
import type { FastifyInstance } from "fastify";
import { readForbidden } from "../hub/topic-policy";
import type { TransportContext } from "./context";
import { subscriberOf } from "./http-auth";
import { sendBatch } from "./polling";
import { authorizedCursor, parseSignalsSince, readBatch } from "./subscription-request";

type LongPollRequest = { Querystring: { cursor?: string; ticket?: string; timeout?: string; signals?: string } };

/** Traffic counts as busy when the waking event follows the previous one this closely. */
const BUSY_GAP_MS = 1000;

/**
 * Long polling: the same request as a short poll, held until at least one
 * event arrives or the timeout passes (default 25 s: under common load
 * balancer idle timeouts), then everything pending goes out in one batch.
 * When traffic is busy (the waking event follows the previous one within 1 s)
 * the answer lingers two inter-event gaps, at most LONG_POLL_LINGER_MS, to carry
 * more events per request; a lone event goes out at once. A request the client abandons is
 * released immediately: listeners and timers go with it.
 */
export function registerLongPolling(app: FastifyInstance, context: TransportContext) {
  const { hub, metrics, config, connections } = context;

  app.get<LongPollRequest>("/v1/long-poll", async (request, reply) => {
    metrics.requests.inc({ transport: "long-polling" });
    const user = await subscriberOf(context.auth, request);
    const cursors = await authorizedCursor(context.topics, user, request.query.cursor);
    const requested = Number(request.query.timeout);
    const timeoutMs = Number.isFinite(requested) && requested >= 0 ? Math.min(requested, config.longPollTimeoutMs) : config.longPollTimeoutMs;

    metrics.open.inc({ transport: "long-polling" });
    let woken: (() => void) | null = null;
    let firstEventAt = 0;
    let signalled = false;
    const signalsSince = parseSignalsSince(request.query.signals);
    const wake = () => woken?.();
    // Listen before reading, so an event published in between still wakes the request.
    const stops = Object.keys(cursors).map((topic: Topic) =>
      hub.listen(
        topic,
        (event) => {
          if (firstEventAt === 0) firstEventAt = event.ts;
          wake();
        },
        () => {
          signalled = true;
          wake();
        },
      ),
    );
    // A held long poll holds its user present; the TTL covers the gap to the next one.
    const releasePresence = context.presence.hold(user, Object.keys(cursors));
    // The user lost read access to a followed topic while the request was held: answer `forbidden`.
    let revoked: Topic | null = null;
    const stopRevoke = context.topics.onRevoke((userId, topic) => {
      if (userId === user.id && topic in cursors) {
        revoked = topic;
        wake();
      }
    });
    let timer: NodeJS.Timeout | undefined;
    let lingerTimer: NodeJS.Timeout | undefined;
    let clientGone = false;
    const onClose = () => {
      clientGone = true;
      wake();
    };
    request.raw.on("close", onClose);
    // The client may have left while the request was being authorized: its "close" has fired already.
    if (request.raw.destroyed || reply.raw.destroyed) clientGone = true;
    const untrack = connections.add(() => wake());
    try {
      let batch = await readBatch(hub, cursors, signalsSince);
      const empty = batch.events.length === 0 && batch.resets.length === 0 && batch.signals.length === 0;
      if (empty && timeoutMs > 0 && !clientGone) {
        const heads = await Promise.all(Object.keys(cursors).map((topic) => hub.head(topic)));
        const headTs = Math.max(...heads.map((head) => head.publishedAt));
        await new Promise<void>((resolve) => {
          woken = resolve;
          timer = setTimeout(resolve, timeoutMs);
          metrics.timers.inc();
          if (firstEventAt !== 0 || signalled || revoked) resolve();
        });
        clearTimeout(timer);
        metrics.timers.dec();
        // Busy stream: wait for the events right behind this one. Lingering two gaps between
        // events carries about three per answer, whatever the rate, capped by the config.
        const gap = firstEventAt - headTs;
        const linger = headTs > 0 && gap < BUSY_GAP_MS ? Math.min(2 * gap, config.longPollLingerMs) : 0;
        if (!clientGone && !revoked && firstEventAt !== 0 && linger > 0) {
          await new Promise<void>((resolve) => {
            woken = resolve;
            lingerTimer = setTimeout(resolve, linger);
          });
          clearTimeout(lingerTimer);
        }
        if (clientGone) return reply.hijack();
        if (revoked) throw readForbidden(revoked);
        // Re-read from the positions just resolved ("from now" cursors included).
        batch = await readBatch(hub, batch.positions, signalsSince);
      }
      return sendBatch(context, "long-polling", reply, batch, request.headers["if-none-match"]);
    } finally {
      woken = null;
      for (const stop of stops) stop();
      stopRevoke();
      releasePresence();
      request.raw.off("close", onClose);
      untrack();
      metrics.open.dec({ transport: "long-polling" });
    }
  });
}
