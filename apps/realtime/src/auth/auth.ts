import type { Database } from "@repo/db";
import { createGuestUser, createSession, findActiveSession, revokeSession } from "@repo/db";
import type { User } from "@repo/protocol";
import { createTicketLedger } from "./ticket-ledger";
import { createTokenSigner } from "./tokens";

/** The signed-in user behind a request or connection. */
export interface AuthUser extends User {
  sessionId: string;
}

export const TICKET_TTL_SECONDS = 30;
/** How long a "session is still active" answer is trusted before the database is asked again. */
const SESSION_CHECK_TTL_MS = 30_000;

/**
 * Sessions: guest sign-in, token verification (signature, expiry, and not
 * revoked), sign-out, and the single-use tickets EventSource uses instead of
 * putting the session token in a URL.
 */
export function createAuth(options: { db: Database; secret: string; sessionTtlSeconds: number }) {
  const { db, sessionTtlSeconds } = options;
  const signer = createTokenSigner(options.secret);
  const ledger = createTicketLedger();
  const activeUntil = new Map<string, number>();

  async function isActive(sessionId: string): Promise<boolean> {
    const cached = activeUntil.get(sessionId);
    if (cached !== undefined && cached > Date.now()) return true;
    const session = await findActiveSession(db.prisma, sessionId);
    if (!session) {
      activeUntil.delete(sessionId);
      return false;
    }
    if (activeUntil.size > 10_000) activeUntil.clear();
    activeUntil.set(sessionId, Date.now() + SESSION_CHECK_TTL_MS);
    return true;
  }

  return {
    async signIn(name: string) {
      const user = await createGuestUser(db.prisma, name);
      const expiresAt = new Date(Date.now() + sessionTtlSeconds * 1000);
      const session = await createSession(db.prisma, user.id, expiresAt);
      const token = await signer.signSession({ userId: user.id, name: user.name, sessionId: session.id, expiresAt });
      return { user: { id: user.id, name: user.name }, token, expiresAt };
    },

    async authenticate(token: string | undefined): Promise<(AuthUser & { expiresAt: Date }) | null> {
      if (!token) return null;
      const claims = await signer.verifySession(token);
      if (!claims || !(await isActive(claims.sessionId))) return null;
      return { id: claims.userId, name: claims.name, sessionId: claims.sessionId, expiresAt: claims.expiresAt };
    },

    async signOut(user: AuthUser) {
      activeUntil.delete(user.sessionId);
      await revokeSession(db.prisma, user.sessionId);
    },

    async issueTicket(user: AuthUser) {
      const { ticket, expiresAt } = await signer.signTicket({ userId: user.id, name: user.name }, TICKET_TTL_SECONDS);
      return { ticket, expiresAt };
    },

    /** Verifies a ticket and marks it used; a second redemption is refused. */
    async redeemTicket(ticket: string): Promise<User | null> {
      const claims = await signer.verifyTicket(ticket);
      if (!claims) return null;
      if (!ledger.redeem(claims.ticketId, Date.now() + TICKET_TTL_SECONDS * 1000)) return null;
      return { id: claims.userId, name: claims.name };
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;
