import { createHash, timingSafeEqual } from "node:crypto";
import { ProtocolError } from "@repo/protocol";
import type { FastifyReply, FastifyRequest } from "fastify";

/** Constant-time, whatever the lengths: both sides are hashed to 32 bytes first. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The operator's call: `Authorization: Bearer <OPERATOR_TOKEN>`. Refused with
 * `forbidden` when no token is configured (`what` is off), `unauthorized`
 * when it is missing or wrong. A guest session is never an operator. The token
 * is never logged (the logger redacts the Authorization header). Used by every
 * operator route (broadcasts, flag administration).
 */
export function requireOperator(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string | undefined,
  what: { off: string; needs: string } = { off: "Broadcasts are off", needs: "A broadcast needs" },
): void {
  if (token === undefined) throw new ProtocolError("forbidden", `${what.off}: the service has no OPERATOR_TOKEN`);
  const header = request.headers.authorization;
  const given = typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7) : "";
  if (!sameSecret(given, token)) {
    reply.header("www-authenticate", 'Bearer realm="operator"');
    throw new ProtocolError("unauthorized", `${what.needs} the operator's bearer token`);
  }
}
