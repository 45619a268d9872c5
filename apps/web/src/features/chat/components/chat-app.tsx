"use client";

import { LOBBY_ROOM, RoomId } from "@repo/protocol";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback } from "react";
import { hrefWith } from "@/lib/transport";
import { RoomList } from "./room-list";
import { RoomView } from "./room-view";
import { useRooms } from "./use-rooms";

/** `?room=` as a room id; the lobby when absent or malformed. */
function roomFromParam(value: string | null): RoomId {
  const parsed = RoomId.safeParse(value);
  return parsed.success ? parsed.data : LOBBY_ROOM.id;
}

/**
 * The chat page: rooms on the left, the open room in the middle, who is in it on the right.
 * The open room is in the URL (`?room=`, the lobby by default), next to `?transport=`.
 */
export function ChatApp() {
  const searchParams = useSearchParams();
  const pathname = usePathname();
  const router = useRouter();
  const roomId = roomFromParam(searchParams.get("room"));
  const rooms = useRooms();

  const roomHref = useCallback(
    (id: RoomId) => hrefWith(pathname, searchParams, "room", id === LOBBY_ROOM.id ? null : id),
    [pathname, searchParams],
  );
  const openRoom = useCallback((id: RoomId) => router.push(roomHref(id), { scroll: false }), [router, roomHref]);
  const backToLobby = useCallback(() => openRoom(LOBBY_ROOM.id), [openRoom]);

  return (
    <div className="grid min-h-[32rem] flex-1 grid-rows-[auto_minmax(0,1fr)_auto] gap-4 lg:h-[calc(100dvh-10rem)] lg:flex-none lg:grid-cols-[14rem_minmax(0,1fr)_12rem] lg:grid-rows-1">
      <RoomList rooms={rooms} activeRoomId={roomId} roomHref={roomHref} onCreated={openRoom} />
      <RoomView key={roomId} roomId={roomId} onRoomsChanged={rooms.refresh} onLeft={backToLobby} />
    </div>
  );
}
