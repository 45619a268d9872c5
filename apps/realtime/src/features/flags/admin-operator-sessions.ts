import { createHash, randomUUID } from "node:crypto";
import { ProtocolError } from "@repo/protocol";
import type { Redis } from "ioredis";
import { jwtVerify, SignJWT } from "jose";
import { LRUCache } from "lru-cache";
import type { OperatorSessionClaims } from "../../http/operator-auth";

const ISSUER = "switchboard";
const AUDIENCE = "operator-session";
/** Signed-out operator sessions remembered until they would have expired anyway. */
const REVOKED_KEPT = 10_000;

/** Signed-out operator sessions, until they would have expired anyway. */
export interface RevokedOperatorSessions {
  add(sessionId: string, expiresAt: Date): Promise<void>;
  has(sessionId: string): Promise<boolean>;
}

/** One instance: remembered here. */
function revokedInMemory(ttlSeconds: number): RevokedOperatorSessions {
  const revoked = new LRUCache<string, true>({ max: REVOKED_KEPT, ttl: ttlSeconds * 1000 });
  return {
    add: async (sessionId) => void revoked.set(sessionId, true),
    has: async (sessionId) => revoked.has(sessionId),
  };
}

/**
 * Several instances: a key per signed-out session in Redis, expiring with the session, so
 * a sign-out on one instance holds on every other at once, with no message to miss. When
 * Redis cannot answer, the check fails closed (`unavailable`), never "not signed out".
 */
function revokedInRedis(redis: Redis, keyPrefix: string): RevokedOperatorSessions {
  const keyOf = (sessionId: string) => `${keyPrefix}operator-signed-out:${sessionId}`;
  const unavailable = () => new ProtocolError("unavailable", "Operator sessions cannot be checked right now; try again shortly", { retryAfter: 1 });
  return {
    async add(sessionId, expiresAt) {
      await redis.set(keyOf(sessionId), "1", "PXAT", Math.max(Date.now() + 1000, expiresAt.getTime())).catch(() => {
        throw unavailable();
      });
    },
    async has(sessionId) {
      const found = await redis.exists(keyOf(sessionId)).catch(() => {
        throw unavailable();
      });
      return found === 1;
    },
  };
}

/**
 * Short-lived operator sessions: an HS256 JWT (as tokens.ts signs guest
 * sessions) with an audience of its own, so a guest token never passes as one.
 * The key is derived from OPERATOR_TOKEN, not SESSION_SECRET: rotating the
 * operator secret ends every operator session, and a leaked session secret
 * does not make anyone an operator. Sign-out is remembered until the session
 * would have expired: in this process, or with `shared` in Redis for every
 * instance (the cookie is cleared too).
 */
export function createOperatorSessions(options: { operatorToken: string; ttlSeconds: number; shared?: { redis: Redis; keyPrefix: string } }) {
  const key = createHash("sha256").update("switchboard operator session\u0000").update(options.operatorToken).digest();
  const revoked = options.shared ? revokedInRedis(options.shared.redis, options.shared.keyPrefix) : revokedInMemory(options.ttlSeconds);

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

    /** The claims of a valid, not signed-out session; null otherwise. Only a signed token costs a revocation check. */
    async verify(token: string): Promise<OperatorSessionClaims | null> {
      let claims: OperatorSessionClaims;
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ["HS256"] });
        if (payload.sub !== "operator" || typeof payload.jti !== "string" || typeof payload.exp !== "number") return null;
        claims = { sessionId: payload.jti, expiresAt: new Date(payload.exp * 1000) };
      } catch {
        return null;
      }
      return (await revoked.has(claims.sessionId)) ? null : claims;
    },

    revoke(claims: OperatorSessionClaims): Promise<void> {
      return revoked.add(claims.sessionId, claims.expiresAt);
    },
  };
}

export type OperatorSessions = ReturnType<typeof createOperatorSessions>;
