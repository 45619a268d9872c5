// The notification list and unread count: a user's own rows merged with the
// broadcasts, read state of broadcasts from the read-through mark and the reads above it.
import type { DbClient } from "../db-client";
import type { BroadcastRow, NotificationRow } from "../rows";

export type OwnNotification = NotificationRow & { actor: { id: string; name: string } | null };

export type ListedNotification =
  | { source: "own"; row: OwnNotification; read: boolean }
  | { source: "broadcast"; row: BroadcastRow; read: boolean };

export interface BroadcastState {
  silentBroadcasts: boolean;
  /** Broadcasts up to this id count as read (see effectiveBroadcastMark). */
  readThrough: string;
}

/**
 * The broadcasts read-through mark in effect: the stored one, but never below
 * the user's own id. User ids are UUIDs v7 minted when the user joined, in the
 * same time order as broadcast ids, so broadcasts sent before someone joined
 * count as read for them: a new user is not greeted by a month of old news as unread.
 */
export function effectiveBroadcastMark(userId: string, stored: string | null): string {
  return stored !== null && stored > userId ? stored : userId;
}

export async function broadcastStateOf(db: DbClient, userId: string): Promise<BroadcastState> {
  const row = await db.notificationSettings.findUnique({ where: { userId } });
  return { silentBroadcasts: row?.silentBroadcasts ?? false, readThrough: effectiveBroadcastMark(userId, row?.broadcastsReadThrough ?? null) };
}

/** Unread: own rows not read, plus (unless broadcasts are silent) broadcasts above the mark not read one by one. */
export async function unreadCount(db: DbClient, userId: string): Promise<number> {
  const state = await broadcastStateOf(db, userId);
  const own = await db.notification.count({ where: { userId, readAt: null } });
  if (state.silentBroadcasts) return own;
  const broadcasts = await db.broadcast.count({
    where: {
      id: { gt: state.readThrough },
      reads: { none: { userId } },
    },
  });
  return own + broadcasts;
}

/**
 * One page, newest first (UUIDs v7: id order is time order): at most `limit`
 * of the user's own notifications and the broadcasts together, older than
 * `before`. `nextBefore` is the last id when more follow.
 */
export async function listNotifications(
  db: DbClient,
  userId: string,
  options: { before?: string; limit: number },
): Promise<{ items: ListedNotification[]; nextBefore: string | null; state: BroadcastState }> {
  const { before, limit } = options;
  const idBefore = before === undefined ? {} : { id: { lt: before } };
  const state = await broadcastStateOf(db, userId);
  const own = await db.notification.findMany({
    where: { userId, ...idBefore },
    orderBy: { id: "desc" },
    take: limit + 1,
    include: { actor: { select: { id: true, name: true } } },
  });
  const broadcasts = await db.broadcast.findMany({
    where: idBefore,
    orderBy: { id: "desc" },
    take: limit + 1,
    include: { reads: { where: { userId }, select: { userId: true } } },
  });
  const merged: ListedNotification[] = [
    ...own.map((row) => ({ source: "own" as const, row, read: row.readAt !== null })),
    ...broadcasts.map(({ reads, ...row }) => ({
      source: "broadcast" as const,
      row,
      read: reads.length > 0 || row.id <= state.readThrough,
    })),
  ].sort((a, b) => (a.row.id < b.row.id ? 1 : a.row.id > b.row.id ? -1 : 0));
  const items = merged.slice(0, limit);
  const more = merged.length > limit;
  return { items, nextBefore: more ? (items.at(-1)?.row.id ?? null) : null, state };
}
