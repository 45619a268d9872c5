import {
  MAX_CURSOR_LENGTH,
  MAX_TOPICS_PER_SUBSCRIPTION,
  ProtocolError,
  decodeCursor,
  parseOrThrow,
  type CursorMap,
} from "@repo/protocol";
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { AuthUser } from "../auth/auth";
import { requestAddress } from "../http/client-address";
import type { TransportContext } from "./context";
import { subscriberOf } from "./http-auth";

/**
 * The query string of a poll, long poll or SSE request. Every parameter is a
 * single, length-bounded string: a repeated one (`?cursor=a&cursor=b`) arrives
 * as an array and is refused as `validation`, never reaching the cursor parser.
 * Unknown parameters (cache busters) are ignored.
 */
export const SubscriptionQuery = z.object({
  cursor: z.string().max(MAX_CURSOR_LENGTH).optional(),
  ticket: z.string().min(1).max(2048).optional(),
  /** Long polls: how long to hold, in ms (capped by the server's setting). */
  timeout: z.string().regex(/^\d{1,7}$/, "timeout is a whole number of milliseconds").optional(),
  /** SSE: the heartbeat gap the client wants, in ms (only shorter than the server's: 1000 up to its setting). */
  heartbeat: z.string().regex(/^\d{1,7}$/, "heartbeat is a whole number of milliseconds").optional(),
  /** Polls: the newest signal timestamp the client has seen. */
  signals: z.string().regex(/^\d{1,16}(\.\d{1,6})?$/, "signals is a timestamp in milliseconds").optional(),
  /** The client's protocol version (checked by http/protocol-version.ts before any route runs). */
  v: z.string().max(8).optional(),
});
export type SubscriptionQuery = z.infer<typeof SubscriptionQuery>;

/** `Last-Event-ID`, which EventSource sends on reconnect: one cursor string. */
const LastEventId = z.string().max(MAX_CURSOR_LENGTH).optional();

export function parseSubscriptionQuery(request: FastifyRequest): SubscriptionQuery {
  return parseOrThrow(SubscriptionQuery, request.query, "query");
}

export function parseLastEventId(request: FastifyRequest): string | undefined {
  return parseOrThrow(LastEventId, request.headers["last-event-id"], "Last-Event-ID header") || undefined;
}

/** Decodes and checks a cursor string from a query, Last-Event-ID or subscribe frame: size, syntax, topic count. */
export function parseCursor(text: string | undefined): CursorMap {
  if (text === undefined || text === "") throw new ProtocolError("validation", "Pass the topics to follow as `cursor`");
  if (text.length > MAX_CURSOR_LENGTH) throw new ProtocolError("validation", "Cursor is too long");
  const cursors = decodeCursor(text);
  if (!cursors) throw new ProtocolError("validation", "Malformed cursor");
  const count = Object.keys(cursors).length;
  if (count === 0) throw new ProtocolError("validation", "Follow at least one topic");
  if (count > MAX_TOPICS_PER_SUBSCRIPTION) {
    throw new ProtocolError("validation", `Follow at most ${MAX_TOPICS_PER_SUBSCRIPTION} topics per subscription`);
  }
  return cursors;
}

/** The `signals` query parameter: the newest signal timestamp the client saw (0: none). */
export function parseSignalsSince(text: string | undefined): number {
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * What every HTTP subscription edge does first, in this order: charge the
 * address (before authentication, so anonymous floods pay too), parse the query
 * (and, for SSE, Last-Event-ID, which wins over the query), authenticate, and
 * decode the cursor. `address` is the client's, read once, for the connection caps.
 */
export async function acceptSubscription(
  context: TransportContext,
  request: FastifyRequest,
  limit: "poll" | "subscribe",
  options: { lastEventId?: boolean } = {},
): Promise<{ query: SubscriptionQuery; user: AuthUser; cursors: CursorMap; address: string }> {
  const address = requestAddress(request);
  await context.addressLimits.consume(limit, address);
  const query = parseSubscriptionQuery(request);
  const lastEventId = options.lastEventId ? parseLastEventId(request) : undefined;
  const user = await subscriberOf(context.auth, request, query.ticket);
  return { query, user, cursors: parseCursor(lastEventId ?? query.cursor), address };
}
