// Chat rooms: the directory, creation (with the creator as first member) and lookups.
import type { DbClient } from "../dbClient";
import type { ChatRoom, PrismaClient } from "../generated/prisma/client";

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

function toSummary(room: ChatRoom & { _count: { memberships: number }; memberships: { userId: string }[] }): ChatRoomSummary {
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

export function findRoom(db: DbClient, id: string): Promise<ChatRoom | null> {
  return db.chatRoom.findUnique({ where: { id } });
}

/** One room as `userId` sees it, or null when it does not exist. */
export async function findRoomSummary(db: DbClient, id: string, userId: string): Promise<ChatRoomSummary | null> {
  const room = await db.chatRoom.findUnique({ where: { id }, ...summaryQuery(userId) });
  return room ? toSummary(room) : null;
}

/** Every room, oldest first, as `userId` sees it. */
export async function listRooms(db: DbClient, userId: string): Promise<ChatRoomSummary[]> {
  const rooms = await db.chatRoom.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }], ...summaryQuery(userId) });
  return rooms.map(toSummary);
}
