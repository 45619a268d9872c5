// Notification preferences: silent broadcasts and muted rooms.
import type { PrismaClient } from "../generated/prisma/client";
import type { DbClient } from "../db-client";

export interface NotificationPreferencesRow {
  silentBroadcasts: boolean;
  mutedRooms: string[];
}

export async function notificationPreferences(db: DbClient, userId: string): Promise<NotificationPreferencesRow> {
  const settings = await db.notificationSettings.findUnique({ where: { userId }, select: { silentBroadcasts: true } });
  const mutes = await db.notificationRoomMute.findMany({ where: { userId }, orderBy: { roomId: "asc" }, select: { roomId: true } });
  return { silentBroadcasts: settings?.silentBroadcasts ?? false, mutedRooms: mutes.map((m) => m.roomId) };
}

/**
 * Changes what is given (`mutedRooms` replaces the list), in one transaction.
 * Rooms that do not exist change nothing: they are returned in `unknownRooms`.
 */
export async function setNotificationPreferences(
  db: PrismaClient,
  userId: string,
  input: { silentBroadcasts?: boolean; mutedRooms?: readonly string[] },
): Promise<{ preferences: NotificationPreferencesRow } | { unknownRooms: string[] }> {
  return db.$transaction(async (tx) => {
    if (input.mutedRooms !== undefined) {
      const wanted = [...new Set(input.mutedRooms)];
      const found = await tx.chatRoom.findMany({ where: { id: { in: wanted } }, select: { id: true } });
      const known = new Set(found.map((r) => r.id));
      const unknownRooms = wanted.filter((id) => !known.has(id));
      if (unknownRooms.length > 0) return { unknownRooms };
      await tx.notificationRoomMute.deleteMany({ where: { userId, roomId: { notIn: wanted } } });
      await tx.notificationRoomMute.createMany({ data: wanted.map((roomId) => ({ userId, roomId })), skipDuplicates: true });
    }
    if (input.silentBroadcasts !== undefined) {
      await tx.notificationSettings.upsert({
        where: { userId },
        create: { userId, silentBroadcasts: input.silentBroadcasts },
        update: { silentBroadcasts: input.silentBroadcasts },
      });
    }
    return { preferences: await notificationPreferences(tx, userId) };
  });
}
