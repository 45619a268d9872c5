import { ProtocolError } from "@repo/protocol";
import type { FastifyRequest } from "fastify";
import type { Auth, AuthUser } from "../auth/auth";
import { requireUser } from "../http/request-auth";

/**
 * Who is polling or streaming. A `ticket` query parameter (single use, from
 * POST /v1/sse/ticket, bound to its session) serves EventSource, which cannot
 * send headers; otherwise the Bearer header or the session cookie. A session
 * token in a URL is never accepted.
 */
export async function subscriberOf(auth: Auth, request: FastifyRequest, ticket: string | undefined): Promise<AuthUser> {
  if (ticket !== undefined) {
    const user = await auth.redeemTicket(ticket);
    if (!user) throw new ProtocolError("unauthorized", "Ticket is invalid, expired or already used");
    return user;
  }
  return requireUser(auth, request);
}
