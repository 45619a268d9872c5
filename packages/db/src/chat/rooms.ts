// Chat rooms: the directory, creation (with the creator as first member) and lookups.
import type { DbClient } from "../db-client";
import type { PrismaClient } from "../generated/prisma/client";
import type { ChatRoomRow } from "../rows";

/** A room as one user sees it in the directory. */
export interface ChatRoomSummary {
  id: string;
  name: string;
  createdAt: Date;
  /** Number of members. */
  members: number;
  /** Whether the asking user is one of them. */
  joined: boolean;
}

function summaryQuery(userId: string) {
  return {
    include: {
      _count: { select: { memberships: true } },
      memberships: { where: { userId }, select: { userId: true } },
    },
  } as const;
}

function toSummary(room: ChatRoomRow & { _count: { memberships: number }; memberships: { userId: string }[] }): ChatRoomSummary {
  return { id: room.id, name: room.name, createdAt: room.createdAt, members: room._count.memberships, joined: room.memberships.length > 0 };
}

/** Creates the room unless its id exists (the name is left as it was). Idempotent: used for the lobby. */
export async function ensureRoom(db: DbClient, room: { id: string; name: string }): Promise<void> {
  await db.chatRoom.createMany({ data: [room], skipDuplicates: true });
}

/**
 * Creates a room and makes its creator the first member, in one transaction.
 * Returns null, changing nothing, when the id is taken.
 */
export async function createRoom(
  db: PrismaClient,
  room: { id: string; name: string; createdById: string },
): Promise<ChatRoomSummary | null> {
  return db.$transaction(async (tx) => {
    // ON CONFLICT DO NOTHING rather than catching the unique violation, which would abort the transaction.
    const { count } = await tx.chatRoom.createMany({ data: [room], skipDuplicates: true });
    if (count === 0) return null;
    await tx.chatMembership.create({ data: { roomId: room.id, userId: room.createdById } });
    return findRoomSummary(tx, room.id, room.createdById);
  });
}

export function findRoom(db: DbClient, id: string): Promise<ChatRoomRow | null> {
  return db.chatRoom.findUnique({ where: { id } });
}

/** One room as `userId` sees it, or null when it does not exist. */
export async function findRoomSummary(db: DbClient, id: string, userId: string): Promise<ChatRoomSummary | null> {
  const room = await db.chatRoom.findUnique({ where: { id }, ...summaryQuery(userId) });
  return room ? toSummary(room) : null;
}

/** Where a directory page starts: after this room in (createdAt, id) order. */
export interface RoomKey {
  createdAt: Date;
  id: string;
}

/**
 * One page of the directory, oldest first, as `userId` sees it: at most
 * `limit` rooms after `after` (keyset on createdAt, id, so pages never shift),
 * optionally only names containing `search` (case-insensitive). `next` is the
 * key to ask for the following page, null on the last one.
 */
export async function listRooms(
  db: DbClient,
  userId: string,
  options: { limit: number; after?: RoomKey; search?: string },
): Promise<{ rooms: ChatRoomSummary[]; next: RoomKey | null }> {
  const { limit, after, search } = options;
  const rows = await db.chatRoom.findMany({
    where: {
      ...(after ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] } : {}),
      // Prisma passes `contains` into ILIKE as is: its wildcards must be escaped to be literal.
      ...(search ? { name: { contains: search.replace(/[\\%_]/g, "\\$&"), mode: "insensitive" as const } } : {}),
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: limit + 1,
    ...summaryQuery(userId),
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rooms: page.map(toSummary), next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}
