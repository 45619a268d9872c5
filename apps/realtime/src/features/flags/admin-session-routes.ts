import {
  OPERATOR_SESSION_COOKIE,
  OperatorSignInRequest,
  ProtocolError,
  flagsAdminPaths,
  parseOrThrow,
  type OperatorSessionResponse,
} from "@repo/protocol";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Auth } from "../../auth/auth";
import { noStore } from "../../http/no-store";
import { requireOperator, sameSecret } from "../../http/operator-auth";
import { addressKey } from "../../limits/address-key";
import { layered, memoryRateLimiters, type RateWindow } from "../../limits/rate-limiter";
import type { OperatorSessions } from "./admin-operator-sessions";

/** Only the admin routes ever see the operator cookie. */
const COOKIE_PATH = flagsAdminPaths.session.replace(/\/session$/, "");
const WHAT = { off: "Operator sign-in is off", needs: "This needs" };
const NOBODY: OperatorSessionResponse = { operator: false, via: null, expiresAt: null };

export interface OperatorSessionRouteDeps {
  operatorToken: string | undefined;
  /** Undefined when the service has no OPERATOR_TOKEN. */
  sessions: OperatorSessions | undefined;
  auth: Auth;
  cookieSecure: boolean;
  /** Sign-in attempts per client address, right or wrong: the secret cannot be guessed at speed. */
  signInLimits: RateWindow[];
}

/**
 *   POST   /v1/admin/session  { secret }  the right OPERATOR_TOKEN sets the operator cookie (HttpOnly,
 *                                          SameSite=Strict, Secure on https, path /v1/admin)
 *   GET    /v1/admin/session             who am I: `{ operator, via, expiresAt }` (not an operator is a 200)
 *   DELETE /v1/admin/session             signs the operator session out (204; idempotent)
 * Mutations carried by the cookie are safe from CSRF: SameSite=Strict keeps it
 * off cross-site requests, the origin policy refuses foreign origins, and JSON
 * bodies are not a "simple" request (a preflight the CORS policy fails).
 */
export function registerOperatorSessionRoutes(app: FastifyInstance, deps: OperatorSessionRouteDeps) {
  const { sessions, cookieSecure } = deps;
  const attempts = deps.signInLimits.length > 0 ? layered(memoryRateLimiters, "operator-sign-in", deps.signInLimits) : null;
  const credentials = { token: deps.operatorToken, sessions, auth: deps.auth, what: WHAT };

  app.post(flagsAdminPaths.session, async (request, reply) => {
    if (deps.operatorToken === undefined || !sessions) throw new ProtocolError("forbidden", `${WHAT.off}: the service has no OPERATOR_TOKEN`);
    const { secret } = parseOrThrow(OperatorSignInRequest, request.body, "operator sign-in");
    // Charged before the comparison, right or wrong, so guessing costs a window per few tries.
    const retryAfter = attempts ? await attempts.take(addressKey(request.ip)) : null;
    if (retryAfter !== null) throw new ProtocolError("rate_limited", "Too many operator sign-ins from your address; try again later", { retryAfter });
    if (!sameSecret(secret, deps.operatorToken)) {
      request.log.warn("operator sign-in with a wrong secret");
      throw new ProtocolError("unauthorized", "That is not the operator secret");
    }
    const { token, claims } = await sessions.sign();
    reply.setCookie(OPERATOR_SESSION_COOKIE, token, { httpOnly: true, sameSite: "strict", secure: cookieSecure, path: COOKIE_PATH, expires: claims.expiresAt });
    request.log.info({ operatorSession: claims.sessionId }, "operator signed in");
    noStore(reply);
    const body: OperatorSessionResponse = { operator: true, via: "session", expiresAt: claims.expiresAt.toISOString() };
    return reply.status(201).send(body);
  });

  app.get(flagsAdminPaths.session, async (request, reply) => {
    noStore(reply);
    try {
      const proof = await requireOperator(request, reply, credentials);
      const body: OperatorSessionResponse =
        proof.via === "session" ? { operator: true, via: "session", expiresAt: proof.session.expiresAt.toISOString() } : { operator: true, via: "token", expiresAt: null };
      return body;
    } catch (error) {
      // Not an operator is an answer here; only "administration is off" stays an error.
      if (error instanceof ProtocolError && (error.code === "unauthorized" || (error.code === "forbidden" && deps.operatorToken !== undefined))) {
        reply.removeHeader("www-authenticate");
        return NOBODY;
      }
      throw error;
    }
  });

  app.delete(flagsAdminPaths.session, async (request, reply) => {
    const cookie = request.cookies[OPERATOR_SESSION_COOKIE];
    const session = cookie && sessions ? await sessions.verify(cookie) : null;
    if (session && sessions) {
      await sessions.revoke(session);
      request.log.info({ operatorSession: session.sessionId }, "operator signed out");
    }
    clearOperatorCookie(reply, cookieSecure);
    return reply.status(204).send();
  });
}

function clearOperatorCookie(reply: FastifyReply, secure: boolean) {
  reply.clearCookie(OPERATOR_SESSION_COOKIE, { httpOnly: true, sameSite: "strict", secure, path: COOKIE_PATH });
}
