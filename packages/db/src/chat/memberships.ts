// Chat room membership: who may read a room's topic and post in it.
import type { DbClient } from "../dbClient";

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
