import type { Database } from "@repo/db";
import { createGuestUser, createSession, findActiveSessionIds, findActiveSessionOwners, revokeSession } from "@repo/db";
import type { User } from "@repo/protocol";
import DataLoader from "dataloader";
import { LRUCache } from "lru-cache";
import type { ClusterBus } from "../cluster/cluster-bus";
import { createTicketLedger, type TicketLedger } from "./ticket-ledger";
import { createTokenSigner } from "./tokens";

/** The signed-in user behind a request or connection, and the session that proves it. */
export interface AuthUser extends User {
  sessionId: string;
  /** When the session expires: streams and sockets opened under it end then. */
  expiresAt: Date;
}

export const TICKET_TTL_SECONDS = 30;
/** How long a "session is still active" answer is trusted before the database is asked again. */
const SESSION_CHECK_TTL_MS = 30_000;
/** A refused session is remembered briefly too, so a revoked token cannot make every request a query. */
const SESSION_REFUSED_TTL_MS = 5_000;
const SESSION_CHECKS_KEPT = 50_000;
/**
 * Token checks that miss the cache within this window share one query. A thousand
 * clients who signed in together miss together; one query per batch keeps the
 * database (in-process PGlite by default) from stalling every poll behind them.
 */
const SESSION_BATCH_WINDOW_MS = 5;
const SESSION_BATCH_MAX = 500;

/**
 * Sessions: guest sign-in, token verification (signature, expiry, not revoked,
 * and the session row belonging to the token's user), sign-out, and the
 * single-use tickets EventSource uses instead of putting the session token in
 * a URL. Tickets carry their session, so whatever a ticket opened ends with it.
 */
/** Bus channel on which a signed-out session is announced to every instance ("<sessionId> <userId>"). */
const SESSION_ENDED_CHANNEL = "session-ended";

export function createAuth(options: {
  db: Database;
  secret: string;
  sessionTtlSeconds: number;
  /** Shared by every instance on Redis; in process by default. */
  ledger?: TicketLedger;
  /** How a sign-out here reaches the other instances at once. */
  bus?: ClusterBus;
}) {
  const { db, sessionTtlSeconds } = options;
  const signer = createTokenSigner(options.secret);
  const ledger = options.ledger ?? createTicketLedger();
  const checks = new LRUCache<string, boolean>({ max: SESSION_CHECKS_KEPT, ttl: SESSION_CHECK_TTL_MS, ttlAutopurge: false });
  const endedListeners = new Set<(sessionId: string) => void>();

  // The owner of each active session asked about (null: not active). Our own LRU caches; the loader only batches.
  const owners = new DataLoader<string, string | null>(
    async (ids) => {
      const found = await findActiveSessionOwners(db.prisma, ids);
      return ids.map((id) => found.get(id) ?? null);
    },
    { cache: false, maxBatchSize: SESSION_BATCH_MAX, batchScheduleFn: (run) => setTimeout(run, SESSION_BATCH_WINDOW_MS) },
  );

  async function isActive(sessionId: string, userId: string): Promise<boolean> {
    const key = `${sessionId}\u0000${userId}`;
    const cached = checks.get(key);
    if (cached !== undefined) return cached;
    const active = (await owners.load(sessionId)) === userId;
    // Spread over ttl…1.5·ttl, so sessions checked together (a crowd signing in) are not all re-checked in one second.
    checks.set(key, active, { ttl: active ? Math.round(SESSION_CHECK_TTL_MS * (1 + Math.random() / 2)) : SESSION_REFUSED_TTL_MS });
    return active;
  }

  function ended(sessionId: string, userId: string) {
    checks.set(`${sessionId}\u0000${userId}`, false, { ttl: SESSION_CHECK_TTL_MS });
    for (const listener of endedListeners) listener(sessionId);
  }

  // A sign-out on another instance: end what is open here too (ending twice is a no-op).
  options.bus?.subscribe(SESSION_ENDED_CHANNEL, (message) => {
    const [sessionId, userId] = message.split(" ");
    if (sessionId && userId) ended(sessionId, userId);
  });

  return {
    async signIn(name: string) {
      const user = await createGuestUser(db.prisma, name);
      const expiresAt = new Date(Date.now() + sessionTtlSeconds * 1000);
      const session = await createSession(db.prisma, user.id, expiresAt);
      const token = await signer.signSession({ userId: user.id, name: user.name, sessionId: session.id, expiresAt });
      return { user: { id: user.id, name: user.name }, token, expiresAt };
    },

    async authenticate(token: string | undefined): Promise<AuthUser | null> {
      if (!token) return null;
      const claims = await signer.verifySession(token);
      if (!claims || !(await isActive(claims.sessionId, claims.userId))) return null;
      return { id: claims.userId, name: claims.name, sessionId: claims.sessionId, expiresAt: claims.expiresAt };
    },

    /** Revokes the session; everything open under it is told at once, here and (over the bus) on every instance. */
    async signOut(user: AuthUser) {
      await revokeSession(db.prisma, user.sessionId);
      ended(user.sessionId, user.id);
      options.bus?.publish(SESSION_ENDED_CHANNEL, `${user.sessionId} ${user.id}`);
    },

    /** Called with a session id whenever a session ends here (sign-out). Returns the removal. */
    onSessionEnded(listener: (sessionId: string) => void): () => void {
      endedListeners.add(listener);
      return () => void endedListeners.delete(listener);
    },

    /** Which of these sessions are still active, from the database (revocations made elsewhere show here). */
    async activeSessions(sessionIds: string[]): Promise<Set<string>> {
      return findActiveSessionIds(db.prisma, sessionIds);
    },

    async issueTicket(user: AuthUser) {
      const { ticket, expiresAt } = await signer.signTicket(
        { userId: user.id, name: user.name, sessionId: user.sessionId, sessionExpiresAt: user.expiresAt },
        TICKET_TTL_SECONDS,
      );
      return { ticket, expiresAt };
    },

    /** Verifies a ticket, checks its session is still active, and marks it used; a second redemption is refused. */
    async redeemTicket(ticket: string): Promise<AuthUser | null> {
      const claims = await signer.verifyTicket(ticket);
      if (!claims || !(await isActive(claims.sessionId, claims.userId))) return null;
      if (!(await ledger.redeem(claims.ticketId, Date.now() + TICKET_TTL_SECONDS * 1000))) return null;
      return { id: claims.userId, name: claims.name, sessionId: claims.sessionId, expiresAt: claims.sessionExpiresAt };
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;
