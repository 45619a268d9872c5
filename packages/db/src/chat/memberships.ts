// Chat room membership: who may read a room's topic and post in it.
import type { DbClient } from "../db-client";

/** Adds the user to the room; true when they were not a member before. */
export async function joinRoom(db: DbClient, roomId: string, userId: string): Promise<boolean> {
  const { count } = await db.chatMembership.createMany({ data: [{ roomId, userId }], skipDuplicates: true });
  return count > 0;
}

/** Removes the user from the room; true when they were a member until now. */
export async function leaveRoom(db: DbClient, roomId: string, userId: string): Promise<boolean> {
  const { count } = await db.chatMembership.deleteMany({ where: { roomId, userId } });
  return count > 0;
}

export async function isMember(db: DbClient, roomId: string, userId: string): Promise<boolean> {
  const row = await db.chatMembership.findUnique({ where: { roomId_userId: { roomId, userId } }, select: { userId: true } });
  return row !== null;
}

/**
 * Membership and whether the room exists, in one query: "none" when there is
 * no such room (so a caller can decline to remember an answer for it).
 */
export async function membershipOf(db: DbClient, roomId: string, userId: string): Promise<"member" | "not_member" | "none"> {
  const room = await db.chatRoom.findUnique({
    where: { id: roomId },
    select: { memberships: { where: { userId }, select: { userId: true } } },
  });
  if (!room) return "none";
  return room.memberships.length > 0 ? "member" : "not_member";
}
