import {
  PROTOCOL_VERSION,
  SSE_EVENTS,
  encodeCursor,
  type ClosingNotice,
  type RevokedNotice,
  type StreamReady,
} from "@repo/protocol";
import type { FastifyInstance } from "fastify";
import { createFeed } from "../hub/feed";
import { readForbidden } from "../hub/topic-policy";
import type { TransportContext } from "./context";
import { subscriberOf } from "./http-auth";
import { encodingOf } from "../hub/event-encoding";
import { authorizedCursor } from "./subscription-request";

type SseRequest = { Querystring: { cursor?: string; ticket?: string } };

/** Browsers wait this long before reconnecting a dropped EventSource. */
const RETRY_MS = 2000;


/**
 * Server-Sent Events: one `text/event-stream` response per client. Every
 * frame's `id:` is the full cursor, so a reconnect's Last-Event-ID resumes
 * exactly; the first load passes the cursor as a query. Headers stop proxy
 * buffering and compression; a comment line every 15 s keeps idle proxies from
 * closing the stream. A consumer whose socket buffer passes the limit is cut
 * with a `closing` frame and resumes from its cursor.
 */
export function registerSse(app: FastifyInstance, context: TransportContext) {
  const { hub, metrics, config, connections } = context;

  app.get<SseRequest>("/v1/sse", async (request, reply) => {
    metrics.requests.inc({ transport: "sse" });
    const user = await subscriberOf(context.auth, request);
    const lastEventId = request.headers["last-event-id"];
    const cursorText = typeof lastEventId === "string" && lastEventId !== "" ? lastEventId : request.query.cursor;
    const cursors = await authorizedCursor(context.topics, user, cursorText);

    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
      connection: "keep-alive",
    });
    res.socket?.setNoDelay(true);
    res.write(`retry: ${RETRY_MS}\n\n`);
    metrics.open.inc({ transport: "sse" });

    let open = true;
    /** Writes one frame; `bytes` is its UTF-8 size when the caller knows it. */
    const write = (frame: string, bytes = Buffer.byteLength(frame)) => {
      if (!open) return;
      res.write(frame);
      metrics.count("bytes", "sse", bytes);
      if (res.writableLength > config.maxBufferedBytes) {
        metrics.slowConsumersCut.inc({ transport: "sse" });
        request.log.warn({ userId: user.id, buffered: res.writableLength }, "cutting slow SSE consumer");
        close({ reason: "slow_consumer", message: "Client could not keep up; resume from your cursor" });
      }
    };

    const cursorNow = () => encodeCursor(feed.positions());
    // With one topic the cursor after an event is that event's position: no need to rebuild it.
    const singleTopic = Object.keys(cursors).length === 1;
    const feed = createFeed(hub, {
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
    });
    const releasePresence = context.presence.hold(user, Object.keys(cursors));
    // The user lost read access to a topic (e.g. left the chat room): stop delivering it here, and say so.
    const stopRevoke = context.topics.onRevoke((userId, topic) => {
      if (userId !== user.id || !feed.topics().includes(topic)) return;
      feed.remove([topic]);
      const notice: RevokedNotice = { topic, error: readForbidden(topic).toBody() };
      write(`event: ${SSE_EVENTS.revoked}\nid: ${cursorNow()}\ndata: ${JSON.stringify(notice)}\n\n`);
    });
    const heartbeat = setInterval(() => write(":\n\n"), config.sseHeartbeatMs);
    metrics.timers.inc();
    const untrack = connections.add((notice) => close(notice));
    res.on("close", () => {
      if (open) cleanup();
    });
    // The client may have left while the request was being authorized: its "close" has fired already.
    if (res.destroyed || request.raw.destroyed) {
      cleanup();
      return;
    }

    await feed.add(cursors);
    const ready: StreamReady = { v: PROTOCOL_VERSION, cursor: cursorNow() };
    write(`event: ${SSE_EVENTS.ready}\nid: ${ready.cursor}\ndata: ${JSON.stringify(ready)}\n\n`);

    function close(notice?: ClosingNotice) {
      if (!open) return;
      if (notice) res.write(`event: ${SSE_EVENTS.closing}\ndata: ${JSON.stringify(notice)}\n\n`);
      open = false;
      cleanup();
      res.end();
      // A slow consumer's socket may never drain; don't wait on it.
      if (notice?.reason === "slow_consumer") res.destroy();
    }
    function cleanup() {
      open = false;
      feed.close();
      stopRevoke();
      releasePresence();
      clearInterval(heartbeat);
      metrics.timers.dec();
      untrack();
      metrics.open.dec({ transport: "sse" });
    }
  });
}
