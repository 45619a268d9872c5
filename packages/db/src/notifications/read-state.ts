// Marking read: one notification (own or broadcast), or everything so far.
import type { DbClient } from "../db-client";
import type { PrismaClient } from "../generated/prisma/client";
import { effectiveBroadcastMark } from "./read-model";

/** Broadcasts read one by one kept above a user's read-through mark; past it the mark moves up. */
export const READ_BROADCASTS_ABOVE_MARK = 200;

/**
 * Marks `id` read for `userId`: "read" (also when it already was),
 * "forbidden" when it is another user's notification (nothing changes),
 * "not_found" when no notification or broadcast has that id.
 */
export async function markNotificationRead(
  db: PrismaClient,
  userId: string,
  id: string,
  options: { maxReadsAboveMark?: number } = {},
): Promise<"read" | "forbidden" | "not_found"> {
  const own = await db.notification.findUnique({ where: { id }, select: { userId: true, readAt: true } });
  if (own) {
    if (own.userId !== userId) return "forbidden";
    if (own.readAt === null) await db.notification.updateMany({ where: { id, userId, readAt: null }, data: { readAt: new Date() } });
    return "read";
  }
  const broadcast = await db.broadcast.findUnique({ where: { id }, select: { id: true } });
  if (!broadcast) return "not_found";
  await db.$transaction(async (tx) => {
    const settings = await tx.notificationSettings.findUnique({ where: { userId } });
    const mark = effectiveBroadcastMark(userId, settings?.broadcastsReadThrough ?? null);
    if (id <= mark) return;
    await tx.broadcastRead.createMany({ data: [{ userId, broadcastId: id }], skipDuplicates: true });
    await compactBroadcastReads(tx, userId, mark, options.maxReadsAboveMark ?? READ_BROADCASTS_ABOVE_MARK);
  });
  return "read";
}

/**
 * Keeps a user's broadcast read state small: the mark moves up over every
 * broadcast read one by one right above it, and when more than
 * `maxReads` (READ_BROADCASTS_ABOVE_MARK) remain, up to the oldest of them (what lies
 * between then counts as read; documented).
 */
async function compactBroadcastReads(tx: DbClient, userId: string, mark: string, maxReads: number) {
  const above = { id: { gt: mark } };
  const reads = await tx.broadcastRead.findMany({
    where: { userId, broadcastId: { gt: mark } },
    orderBy: { broadcastId: "asc" },
    select: { broadcastId: true },
  });
  if (reads.length === 0) return;
  const readIds = new Set(reads.map((r) => r.broadcastId));
  const next = await tx.broadcast.findMany({ where: above, orderBy: { id: "asc" }, take: reads.length + 1, select: { id: true } });
  let newMark: string = mark;
  for (const { id } of next) {
    if (!readIds.has(id)) break;
    newMark = id;
  }
  const overflow = reads.length - maxReads;
  if (overflow > 0) {
    const forced = reads[overflow - 1]!.broadcastId;
    if (forced > newMark) newMark = forced;
  }
  if (newMark === mark) return;
  await setReadThrough(tx, userId, newMark);
  await tx.broadcastRead.deleteMany({ where: { userId, broadcastId: { lte: newMark } } });
}

async function setReadThrough(tx: DbClient, userId: string, readThrough: string) {
  await tx.notificationSettings.upsert({
    where: { userId },
    create: { userId, broadcastsReadThrough: readThrough },
    update: { broadcastsReadThrough: readThrough },
  });
}

/**
 * Marks everything up to the newest notification or broadcast now read; returns
 * that id (`readThrough`), or null when there is nothing. A notification made
 * after it stays unread, so another tab can apply the same cut.
 */
export async function markAllNotificationsRead(db: PrismaClient, userId: string): Promise<string | null> {
  return db.$transaction(async (tx) => {
    const newestOwn = await tx.notification.findFirst({ where: { userId }, orderBy: { id: "desc" }, select: { id: true } });
    const newestBroadcast = await tx.broadcast.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
    const ids = [newestOwn?.id, newestBroadcast?.id].filter((id): id is string => id !== undefined).sort();
    const readThrough = ids.at(-1) ?? null;
    if (readThrough === null) return null;
    await tx.notification.updateMany({ where: { userId, readAt: null, id: { lte: readThrough } }, data: { readAt: new Date() } });
    if (newestBroadcast) {
      const settings = await tx.notificationSettings.findUnique({ where: { userId } });
      const mark = settings?.broadcastsReadThrough ?? null;
      if (mark === null || newestBroadcast.id > mark) await setReadThrough(tx, userId, newestBroadcast.id);
      await tx.broadcastRead.deleteMany({ where: { userId, broadcastId: { lte: newestBroadcast.id } } });
    }
    return readThrough;
  });
}
