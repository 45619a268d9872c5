import { randomUUID } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { LRUCache } from "lru-cache";

/** What a verified session token says. */
export interface SessionClaims {
  userId: string;
  name: string;
  sessionId: string;
  expiresAt: Date;
}

export interface TicketClaims {
  userId: string;
  name: string;
  ticketId: string;
  /** The session the ticket was issued under: its streams end when that session does. */
  sessionId: string;
  /** When that session expires (a stream opened with the ticket ends then). */
  sessionExpiresAt: Date;
}

const ISSUER = "switchboard";
const VERIFIED_TOKENS_KEPT = 10_000;
const SESSION_AUDIENCE = "session";
const TICKET_AUDIENCE = "sse-ticket";

/**
 * Signs and verifies the service's HS256 JWTs: long-lived session tokens and
 * short-lived SSE tickets (a different audience, so one can never pass as the other).
 */
export function createTokenSigner(secret: string) {
  const key = new TextEncoder().encode(secret);
  /** Verified session tokens, least recently used evicted first. Revocation is checked separately, per use. */
  const verified = new LRUCache<string, SessionClaims>({ max: VERIFIED_TOKENS_KEPT });

  return {
    async signSession(claims: SessionClaims): Promise<string> {
      return new SignJWT({ name: claims.name, sid: claims.sessionId })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(claims.userId)
        .setIssuer(ISSUER)
        .setAudience(SESSION_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(claims.expiresAt.getTime() / 1000))
        .sign(key);
    },

    async verifySession(token: string): Promise<SessionClaims | null> {
      // Polls present the same token every second: a verified token is remembered until it
      // expires, so the HMAC check (the largest CPU cost of a poll, per pnpm bench) runs once.
      const cached = verified.get(token);
      if (cached) {
        if (cached.expiresAt.getTime() > Date.now()) return cached;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          audience: SESSION_AUDIENCE,
          algorithms: ["HS256"],
        });
        if (typeof payload.sub !== "string" || typeof payload.sid !== "string" || typeof payload.name !== "string") {
          return null;
        }
        const claims = { userId: payload.sub, name: payload.name, sessionId: payload.sid, expiresAt: new Date(payload.exp! * 1000) };
        verified.set(token, claims);
        return claims;
      } catch {
        return null;
      }
    },

    async signTicket(
      user: { userId: string; name: string; sessionId: string; sessionExpiresAt: Date },
      ttlSeconds: number,
    ): Promise<{ ticket: string; ticketId: string; expiresAt: Date }> {
      const ticketId = randomUUID();
      const expiresAt = new Date(Math.min(Date.now() + ttlSeconds * 1000, user.sessionExpiresAt.getTime()));
      const ticket = await new SignJWT({ name: user.name, sid: user.sessionId, sexp: Math.floor(user.sessionExpiresAt.getTime() / 1000) })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(user.userId)
        .setJti(ticketId)
        .setIssuer(ISSUER)
        .setAudience(TICKET_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(key);
      return { ticket, ticketId, expiresAt };
    },

    async verifyTicket(ticket: string): Promise<TicketClaims | null> {
      try {
        const { payload } = await jwtVerify(ticket, key, {
          issuer: ISSUER,
          audience: TICKET_AUDIENCE,
          algorithms: ["HS256"],
        });
        const { sub, jti, name, sid, sexp } = payload;
        if (typeof sub !== "string" || typeof jti !== "string" || typeof name !== "string" || typeof sid !== "string" || typeof sexp !== "number") {
          return null;
        }
        return { userId: sub, name, ticketId: jti, sessionId: sid, sessionExpiresAt: new Date(sexp * 1000) };
      } catch {
        return null;
      }
    },
  };
}

export type TokenSigner = ReturnType<typeof createTokenSigner>;
