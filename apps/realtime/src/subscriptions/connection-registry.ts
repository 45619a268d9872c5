import { ProtocolError, type ClosingNotice, type TransportName } from "@repo/protocol";
import { LRUCache } from "lru-cache";
import { KeyedSets } from "./keyed-sets";

/** One open stream, socket or held long poll, as the registry knows it. */
export interface RegisteredConnection {
  transport: TransportName;
  userId: string;
  /** The user's display name (part of the flag evaluation context). */
  userName: string;
  sessionId: string;
  /** The client's address (after `trustProxy`), for the per-address cap. */
  ip: string;
  /** When the session expires, in ms since the epoch. */
  expiresAt: number;
  /** Ends the connection on purpose, telling the client why. */
  end(notice: ClosingNotice): void;
}

export interface ConnectionLimits {
  /** Open streams, sockets and held long polls per user, all transports together. */
  perUser: number;
  /** The same per client address. */
  perIp: number;
}

export interface ConnectionRegistryOptions {
  limits: ConnectionLimits;
  /** How often open connections' sessions are re-checked against the database (revocations made elsewhere). */
  revalidateMs: number;
  /** Which of these sessions are still active. */
  activeSessions(sessionIds: string[]): Promise<Set<string>>;
  onError(error: unknown): void;
  now?: () => number;
}

const SESSION_ENDED: ClosingNotice = { reason: "unauthorized", message: "The session ended; sign in again" };
/** How often expired sessions are looked for at most (a connection outlives its session by at most this). */
const EXPIRY_SWEEP_MS = 5_000;
const REVALIDATE_BATCH = 500;
/** A poll holds nothing between requests: its user counts as connected this long after one (a few poll intervals). */
const RECENT_POLL_MS = 15_000;
/** Most short-polling users remembered (the least recent are forgotten first). */
const RECENT_POLLERS_KEPT = 20_000;

/** A user with something open (or a recent short poll) on this instance. */
export interface ConnectedUser {
  id: string;
  name: string;
}

/**
 * Every open connection of the instance, whatever its transport, in one place:
 * the per-user and per-address caps are enforced here, and connections are
 * indexed by session so that sign-out, revocation and expiry end exactly the
 * ones that session opened.
 */
export function createConnectionRegistry(options: ConnectionRegistryOptions) {
  const now = options.now ?? Date.now;
  const bySession = new KeyedSets<RegisteredConnection>();
  const byTransport = new KeyedSets<RegisteredConnection>();
  const perUser = new Map<string, number>();
  const perIp = new Map<string, number>();
  const recentPollers = new LRUCache<string, ConnectedUser>({ max: RECENT_POLLERS_KEPT, ttl: RECENT_POLL_MS, ttlAutopurge: false });
  let size = 0;

  const bump = (counts: Map<string, number>, key: string, by: number) => {
    const next = (counts.get(key) ?? 0) + by;
    if (next <= 0) counts.delete(key);
    else counts.set(key, next);
  };

  function endAll(connections: Iterable<RegisteredConnection>, notice: ClosingNotice) {
    for (const connection of [...connections]) {
      try {
        connection.end(notice);
      } catch (error) {
        options.onError(error);
      }
    }
  }

  const expiryTimer = setInterval(() => {
    const t = now();
    for (const [sessionId, first] of [...bySession.firstOfEach()]) {
      if (first.expiresAt <= t) endAll(bySession.get(sessionId), { reason: "unauthorized", message: "The session expired; sign in again" });
    }
  }, Math.min(EXPIRY_SWEEP_MS, options.revalidateMs));
  expiryTimer.unref();

  let revalidating = false;
  async function revalidate() {
    if (revalidating || bySession.size === 0) return;
    revalidating = true;
    try {
      const ids = bySession.keys();
      for (let i = 0; i < ids.length; i += REVALIDATE_BATCH) {
        const batch = ids.slice(i, i + REVALIDATE_BATCH);
        const active = await options.activeSessions(batch);
        for (const id of batch) if (!active.has(id)) endSession(id);
      }
    } finally {
      revalidating = false;
    }
  }
  const revalidateTimer = setInterval(() => void revalidate().catch((error: unknown) => options.onError(error)), options.revalidateMs);
  revalidateTimer.unref();

  function endSession(sessionId: string, notice: ClosingNotice = SESSION_ENDED) {
    endAll(bySession.get(sessionId), notice);
  }

  /** Throws `rate_limited` when the user or the address already holds as many connections as allowed. */
  function admit({ userId, ip }: { userId: string; ip: string }) {
    if ((perUser.get(userId) ?? 0) >= options.limits.perUser) {
      throw new ProtocolError("rate_limited", `At most ${options.limits.perUser} open connections per user; close one first`, { retryAfter: 5 });
    }
    if ((perIp.get(ip) ?? 0) >= options.limits.perIp) {
      throw new ProtocolError("rate_limited", `At most ${options.limits.perIp} open connections per address`, { retryAfter: 5 });
    }
  }

  return {
    admit,
    /**
     * Registers an opening connection, or refuses it with `rate_limited` when
     * its user or address is at the cap.
     */
    open(connection: RegisteredConnection): void {
      admit(connection);
      bySession.add(connection.sessionId, connection);
      byTransport.add(connection.transport, connection);
      bump(perUser, connection.userId, 1);
      bump(perIp, connection.ip, 1);
      size++;
    },
    /** Forgets a connection (idempotent). */
    remove(connection: RegisteredConnection): void {
      if (!bySession.delete(connection.sessionId, connection)) return;
      byTransport.delete(connection.transport, connection);
      bump(perUser, connection.userId, -1);
      bump(perIp, connection.ip, -1);
      size--;
    },
    /** Ends every connection the session opened, with the `unauthorized` closing notice. */
    endSession,
    /** Re-checks every open session now (also runs on a timer). */
    revalidate,
    /** Ends every connection on one transport (its kill switch was turned off), telling each where to go. */
    endTransport(transport: TransportName, notice: ClosingNotice) {
      endAll(byTransport.get(transport), notice);
    },
    /** A short or long poll came in: its user counts as connected for a while (between polls nothing is registered). */
    sawPoll(user: ConnectedUser): void {
      recentPollers.set(user.id, { id: user.id, name: user.name });
    },
    /**
     * Every distinct user connected right now, on any transport: open streams,
     * sockets and held long polls, plus recent short and long polls. One entry per user
     * however many tabs they have (bounded by the connection caps and the poller memory).
     */
    connectedUsers(): ConnectedUser[] {
      const users = new Map<string, ConnectedUser>();
      for (const connection of bySession.values()) {
        if (!users.has(connection.userId)) users.set(connection.userId, { id: connection.userId, name: connection.userName });
      }
      for (const user of recentPollers.values()) if (!users.has(user.id)) users.set(user.id, user);
      return [...users.values()];
    },
    /** Open connections on one transport. */
    sizeOf: (transport: TransportName) => byTransport.get(transport).length,
    /** Ends everything (shutdown). */
    closeAll(notice: ClosingNotice) {
      endAll([...bySession.values()], notice);
    },
    size: () => size,
    stop() {
      clearInterval(expiryTimer);
      clearInterval(revalidateTimer);
    },
  };
}

export type ConnectionRegistry = ReturnType<typeof createConnectionRegistry>;
