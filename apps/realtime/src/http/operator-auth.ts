import { createHash, timingSafeEqual } from "node:crypto";
import { OPERATOR_SESSION_COOKIE, ProtocolError } from "@repo/protocol";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Auth } from "../auth/auth";
import { sessionTokenOf } from "./request-auth";

/** Constant-time, whatever the lengths: both sides are hashed to 32 bytes first. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** What a valid operator session cookie says. */
export interface OperatorSessionClaims {
  sessionId: string;
  expiresAt: Date;
}

export interface OperatorSessionVerifier {
  verify(token: string): Promise<OperatorSessionClaims | null>;
}

/** How a request proved it is the operator's. */
export type OperatorProof = { via: "token" } | { via: "session"; session: OperatorSessionClaims };

export interface OperatorCredentials {
  /** OPERATOR_TOKEN; undefined: what `what.off` names is off. */
  token: string | undefined;
  /** Verifies the operator session cookie; without it only the bearer token counts. */
  sessions?: OperatorSessionVerifier;
  /** Tells a signed-in guest (403 `forbidden`) from a request with no credential (401). */
  auth?: Pick<Auth, "authenticate">;
  what?: { off: string; needs: string };
}

const BROADCASTS = { off: "Broadcasts are off", needs: "A broadcast needs" };

/** The operator's bearer token, if the request carries exactly it. */
function hasOperatorBearer(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization;
  const given = typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7) : "";
  return given !== "" && sameSecret(given, token);
}

/**
 * The operator's call: `Authorization: Bearer <OPERATOR_TOKEN>`, or (where
 * `sessions` is given) the operator session cookie. Refused with `forbidden`
 * when no token is configured or the request is a signed-in guest's (an
 * operator credential is what is missing, not a sign-in), `unauthorized` when
 * there is no valid credential at all. Neither secret nor cookie is ever
 * logged (the logger redacts Authorization and Cookie). Used by every operator
 * route (broadcasts, flag administration).
 */
export async function requireOperator(request: FastifyRequest, reply: FastifyReply, credentials: OperatorCredentials): Promise<OperatorProof> {
  const what = credentials.what ?? BROADCASTS;
  const { token } = credentials;
  if (token === undefined) throw new ProtocolError("forbidden", `${what.off}: the service has no OPERATOR_TOKEN`);
  if (hasOperatorBearer(request, token)) return { via: "token" };
  const cookie = credentials.sessions ? request.cookies[OPERATOR_SESSION_COOKIE] : undefined;
  if (cookie && credentials.sessions) {
    const session = await credentials.sessions.verify(cookie);
    if (session) return { via: "session", session };
  }
  if (credentials.auth && (await credentials.auth.authenticate(sessionTokenOf(request)))) {
    throw new ProtocolError("forbidden", "Operators only: a guest session is not an operator credential");
  }
  reply.header("www-authenticate", 'Bearer realm="operator"');
  throw new ProtocolError("unauthorized", `${what.needs} the operator's secret (bearer token or operator session)`);
}
