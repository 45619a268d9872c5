import {
  HTTP_PATHS,
  CreateSessionRequest,
  parseOrThrow,
  type CurrentSessionResponse,
  type SessionResponse,
  type TicketResponse,
} from "@repo/protocol";
import type { FastifyInstance } from "fastify";
import type { Auth } from "../../auth/auth";
import type { TransportGate } from "../../flags/transport-gate";
import type { AddressLimits } from "../../limits/address-limits";
import { requestAddress } from "../client-address";
import { clearSessionCookie, requireUser, sessionTokenOf, setSessionCookie } from "../request-auth";

/**
 * Guest sessions: sign in with a display name, who-am-I, sign out, SSE tickets.
 * Sign-in (it writes a user and a session row) and ticket issuance are rate
 * limited per client address, sign-in also globally: over it, 429 + Retry-After.
 */
export function registerSessionRoutes(
  app: FastifyInstance,
  deps: { auth: Auth; cookieSecure: boolean; addressLimits: AddressLimits; gate: TransportGate },
) {
  const { auth, cookieSecure, addressLimits, gate } = deps;

  app.post(HTTP_PATHS.session, async (request, reply) => {
    const { name } = parseOrThrow(CreateSessionRequest, request.body, "session request");
    // After the parse (a typo costs nothing), before any write; the address first, so one
    // noisy address is refused without eating into everyone's global budget.
    await addressLimits.consume("session", requestAddress(request));
    await addressLimits.consume("session:global", requestAddress(request));
    const session = await auth.signIn(name);
    setSessionCookie(reply, session.token, session.expiresAt, cookieSecure);
    request.log.info({ userId: session.user.id }, "session created");
    const body: SessionResponse = { user: session.user, token: session.token, expiresAt: session.expiresAt.toISOString() };
    return reply.status(201).send(body);
  });

  app.get(HTTP_PATHS.session, async (request) => {
    const user = await requireUser(auth, request);
    const body: CurrentSessionResponse = { user: { id: user.id, name: user.name }, expiresAt: user.expiresAt.toISOString() };
    return body;
  });

  app.delete(HTTP_PATHS.session, async (request, reply) => {
    const user = await auth.authenticate(sessionTokenOf(request));
    if (user) await auth.signOut(user);
    clearSessionCookie(reply, cookieSecure);
    return reply.status(204).send();
  });

  app.post(HTTP_PATHS.sseTicket, async (request, reply) => {
    // A ticket is only for SSE: a switched-off SSE says so here, where the client can read the answer
    // (a refused EventSource shows no body).
    gate.check("sse");
    // Before authentication, which may reach the database.
    await addressLimits.consume("ticket", requestAddress(request));
    const user = await requireUser(auth, request);
    const { ticket, expiresAt } = await auth.issueTicket(user);
    const body: TicketResponse = { ticket, expiresAt: expiresAt.toISOString() };
    return reply.header("cache-control", "no-store").status(201).send(body);
  });
}
