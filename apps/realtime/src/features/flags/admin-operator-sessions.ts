import { createHash, randomUUID } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { LRUCache } from "lru-cache";
import type { OperatorSessionClaims } from "../../http/operator-auth";

const ISSUER = "switchboard";
const AUDIENCE = "operator-session";
/** Signed-out operator sessions remembered until they would have expired anyway. */
const REVOKED_KEPT = 10_000;

/**
 * Short-lived operator sessions: an HS256 JWT (as tokens.ts signs guest
 * sessions) with an audience of its own, so a guest token never passes as one.
 * The key is derived from OPERATOR_TOKEN, not SESSION_SECRET: rotating the
 * operator secret ends every operator session, and a leaked session secret
 * does not make anyone an operator. Sign-out is remembered per instance (the
 * cookie is cleared too); the short lifetime bounds the rest.
 */
export function createOperatorSessions(options: { operatorToken: string; ttlSeconds: number }) {
  const key = createHash("sha256").update("switchboard operator session\u0000").update(options.operatorToken).digest();
  const revoked = new LRUCache<string, true>({ max: REVOKED_KEPT, ttl: options.ttlSeconds * 1000 });

  return {
    ttlSeconds: options.ttlSeconds,

    async sign(): Promise<{ token: string; claims: OperatorSessionClaims }> {
      const claims = { sessionId: randomUUID(), expiresAt: new Date(Date.now() + options.ttlSeconds * 1000) };
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("operator")
        .setJti(claims.sessionId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(claims.expiresAt.getTime() / 1000))
        .sign(key);
      return { token, claims };
    },

    async verify(token: string): Promise<OperatorSessionClaims | null> {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ["HS256"] });
        if (payload.sub !== "operator" || typeof payload.jti !== "string" || typeof payload.exp !== "number") return null;
        if (revoked.has(payload.jti)) return null;
        return { sessionId: payload.jti, expiresAt: new Date(payload.exp * 1000) };
      } catch {
        return null;
      }
    },

    revoke(claims: OperatorSessionClaims): void {
      revoked.set(claims.sessionId, true);
    },
  };
}

export type OperatorSessions = ReturnType<typeof createOperatorSessions>;
