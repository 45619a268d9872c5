import { createHash } from "node:crypto";
import { OFREP_PATHS, OFREP_ROUTES, ProtocolError, type OfrepBulkResponse } from "@repo/protocol";
import type { FastifyInstance } from "fastify";
import type { Auth } from "../../auth/auth";
import type { ServiceFlags } from "../../flags/service-flags";
import { requestAddress } from "../../http/client-address";
import { requireUser } from "../../http/request-auth";
import type { ChangeStreams } from "./change-stream";
import { OfrepContextError, ofrepContext, toOfrep } from "./ofrep-evaluation";

/** The OFREP web provider closes a hidden tab's stream after this long, and reopens it when the tab is seen. */
const INACTIVITY_DELAY_SEC = 120;

/**
 * OFREP (OpenFeature Remote Evaluation Protocol), served by the realtime
 * service itself, for the browser's OFREP web provider:
 *   POST /ofrep/v1/evaluate/flags        every flag for the signed-in user; ETag, 304 on If-None-Match
 *   POST /ofrep/v1/evaluate/flags/:key   one flag; 404 FLAG_NOT_FOUND (unknown or disabled)
 *   GET  /ofrep/v1/events                the change stream (SSE, `refetchEvaluation`)
 * Evaluation errors use OFREP's shapes; a missing session is the service's own 401.
 */
export function registerOfrepRoutes(app: FastifyInstance, deps: { auth: Auth; flags: ServiceFlags; streams: ChangeStreams }) {
  const { auth, flags, streams } = deps;

  app.post(OFREP_ROUTES.bulk, async (request, reply) => {
    const user = await requireUser(auth, request);
    let context;
    try {
      context = ofrepContext(request.body, user);
    } catch (error) {
      if (error instanceof OfrepContextError) return reply.code(400).send({ errorCode: error.errorCode, errorDetails: error.errorDetails });
      throw error;
    }
    const body: OfrepBulkResponse = {
      flags: flags.store.resolveAll(context).map(toOfrep),
      eventStreams: [{ type: "sse", endpoint: { requestUri: OFREP_PATHS.events }, inactivityDelaySec: INACTIVITY_DELAY_SEC }],
    };
    // The tag covers what this user would be told (definitions and context alike): equal tags, equal answers.
    const etag = `"${createHash("sha256").update(JSON.stringify(body)).digest("base64url").slice(0, 27)}"`;
    reply.header("etag", etag).header("cache-control", "private, no-cache").header("vary", "authorization, cookie");
    if (request.headers["if-none-match"] === etag) return reply.code(304).send();
    return body;
  });

  app.post<{ Params: { key: string } }>(OFREP_ROUTES.single, async (request, reply) => {
    const user = await requireUser(auth, request);
    // The router bounds the key (Fastify's maxParamLength, 100): a longer one is a typed 400 before this runs.
    const { key } = request.params;
    let context;
    try {
      context = ofrepContext(request.body, user);
    } catch (error) {
      if (error instanceof OfrepContextError) return reply.code(400).send({ key, errorCode: error.errorCode, errorDetails: error.errorDetails });
      throw error;
    }
    // resolveAll leaves out disabled flags: one lookup rule for both endpoints.
    const details = flags.store.resolveAll(context).find((flag) => flag.flagKey === key);
    if (!details) return reply.code(404).send({ key, errorCode: "FLAG_NOT_FOUND", errorDetails: `No enabled flag "${key}"` });
    reply.header("cache-control", "private, no-store");
    return toOfrep(details);
  });

  app.get(OFREP_ROUTES.events, (request, reply) => {
    if (!streams.admits(requestAddress(request))) throw new ProtocolError("rate_limited", "Too many flag change streams open; try again later");
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
    streams.add(res, requestAddress(request), { etag: flags.store.etag, lastModified: flags.store.lastModified });
  });
}
