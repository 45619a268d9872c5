import {
  HTTP_PATHS,
  PROTOCOL_VERSION,
  SSE_EVENTS,
  encodeCursor,
  type ClosingNotice,
  type RevokedNotice,
  type StreamReady,
} from "@repo/protocol";
import type { FastifyInstance } from "fastify";
import { asProtocolError } from "../http/unexpected-error";
import { readForbidden } from "../hub/topic-policy";
import type { SubscriberIo } from "../subscriptions/subscriber";
import type { TransportContext } from "./context";
import { encodingOf } from "../hub/event-encoding";
import { acceptSubscription } from "./subscription-request";

/** Browsers wait this long before reconnecting a dropped EventSource. */
const RETRY_MS = 2000;
/** The shortest heartbeat gap a client may ask for: a bounded timer cost per stream. */
const MIN_HEARTBEAT_MS = 1000;

/**
 * Server-Sent Events: one `text/event-stream` response per client. Every
 * frame's `id:` is the full cursor, so a reconnect's Last-Event-ID resumes
 * exactly; the first load passes the cursor as a query. Headers stop proxy
 * buffering and compression; a comment line every 15 s keeps idle proxies from
 * closing the stream (a client behind a proxy with a shorter idle timeout asks for
 * `?heartbeat=` ms: shorter only, never under 1 s). What goes out, and when a consumer is too slow, is the
 * subscription core's business: this file only writes frames.
 */
export function registerSse(app: FastifyInstance, context: TransportContext) {
  const { metrics, config, core } = context;

  app.get(HTTP_PATHS.sse, async (request, reply) => {
    metrics.requests.inc({ transport: "sse" });
    const { query, user, cursors, address } = await acceptSubscription(context, request, "subscribe", { lastEventId: true });
    const heartbeatMs = query.heartbeat === undefined ? config.sseHeartbeatMs : Math.min(config.sseHeartbeatMs, Math.max(MIN_HEARTBEAT_MS, Number(query.heartbeat)));
    // Refuse a forbidden topic with a plain 403 while that is still possible (before the stream starts).
    await context.topics.assertCanRead(user, Object.keys(cursors));

    const res = reply.raw;
    let open = true;
    /** Writes one frame; `bytes` is its UTF-8 size when the caller knows it. */
    const write = (frame: string, bytes = Buffer.byteLength(frame)) => {
      if (!open) return;
      res.write(frame);
      metrics.count("bytes", "sse", bytes);
    };
    const cursorNow = () => encodeCursor(subscriber.positions());
    // With one topic the cursor after an event is that event's position: no need to rebuild it.
    const singleTopic = Object.keys(cursors).length === 1;
    const io: SubscriberIo = {
      event(event) {
        const id = singleTopic ? `${event.topic}@${event.epoch}.${event.offset}` : cursorNow();
        const { json, bytes } = encodingOf(event);
        // "id: " + id + "\ndata: " + json + "\n\n"; cursors are ASCII.
        write(`id: ${id}\ndata: ${json}\n\n`, id.length + bytes + 13);
        metrics.count("delivered", "sse");
      },
      reset(reset) {
        write(`event: ${SSE_EVENTS.reset}\nid: ${cursorNow()}\ndata: ${JSON.stringify(reset)}\n\n`);
        metrics.resets.inc({ transport: "sse" });
      },
      signal(signal) {
        // No id: a signal must not move the resume cursor.
        write(`event: ${SSE_EVENTS.signal}\ndata: ${JSON.stringify(signal)}\n\n`);
      },
      revoked(topic) {
        const notice: RevokedNotice = { topic, error: readForbidden(topic).toBody() };
        write(`event: ${SSE_EVENTS.revoked}\nid: ${cursorNow()}\ndata: ${JSON.stringify(notice)}\n\n`);
      },
      queuedBytes: () => res.writableLength,
      drained: (ms) =>
        new Promise<boolean>((resolve) => {
          if (res.writableLength === 0) return resolve(true);
          const done = (drained: boolean) => {
            clearTimeout(timer);
            res.off("drain", onDrain);
            res.off("close", onGone);
            resolve(drained);
          };
          const onDrain = () => done(true);
          const onGone = () => done(false);
          const timer = setTimeout(onGone, ms);
          res.once("drain", onDrain);
          res.once("close", onGone);
        }),
      close(notice: ClosingNotice) {
        if (!open) return;
        res.write(`event: ${SSE_EVENTS.closing}\ndata: ${JSON.stringify(notice)}\n\n`);
        open = false;
        res.end();
        // A slow consumer's socket may never drain; don't wait on it.
        if (notice.reason === "slow_consumer") res.destroy();
      },
    };
    // Throws `rate_limited` at the connection caps: still a plain HTTP answer.
    const subscriber = core.subscriber({ transport: "sse", user, ip: address, io, channels: core.sharedChannels, paceByDrain: true });

    reply.hijack();
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
      connection: "keep-alive",
    });
    res.socket?.setNoDelay(true);
    // A peer that vanished without a FIN is found by TCP keepalive once the stream goes quiet.
    res.socket?.setKeepAlive(true, heartbeatMs);
    res.write(`retry: ${RETRY_MS}\n\n`);
    metrics.open.inc({ transport: "sse" });

    // A heartbeat that cannot leave the process twice in a row means the peer stopped reading.
    let stalledAt = -1;
    const heartbeat = setInterval(() => {
      const queued = res.writableLength;
      if (queued > 0 && stalledAt >= 0 && queued >= stalledAt) {
        core.slowConsumerCut(subscriber, queued);
        subscriber.end({ reason: "slow_consumer", message: "Client stopped reading; resume from your cursor" });
        return;
      }
      stalledAt = queued > 0 ? queued : -1;
      write(":\n\n");
    }, heartbeatMs);
    metrics.timers.inc();
    let cleaned = false;
    const cleanup = () => {
      if (cleaned) return;
      cleaned = true;
      open = false;
      subscriber.close();
      clearInterval(heartbeat);
      metrics.timers.dec();
      metrics.open.dec({ transport: "sse" });
    };
    res.on("close", cleanup);
    // The client may have left while the request was being authorized: its "close" has fired already.
    if (res.destroyed || request.raw.destroyed) return cleanup();

    try {
      await subscriber.subscribe(cursors);
    } catch (error) {
      const protocolError = asProtocolError(error, "Subscribe failed");
      if (protocolError.code === "internal") request.log.error({ err: error }, "SSE subscribe failed");
      subscriber.end({ reason: "protocol_error", message: protocolError.message });
      return cleanup();
    }
    if (subscriber.isClosed) return cleanup();
    const ready: StreamReady = { v: PROTOCOL_VERSION, cursor: cursorNow() };
    write(`event: ${SSE_EVENTS.ready}\nid: ${ready.cursor}\ndata: ${JSON.stringify(ready)}\n\n`);
  });
}
