"use client";

import type { NotificationPreferences as Preferences, RoomId } from "@repo/protocol";
import { useId, useState } from "react";
import { useRooms } from "@/features/chat/components/use-rooms";
import type { ActionResult } from "../state/notifications-snapshot";
import { useNotifications, useNotificationsStore } from "./notifications-provider";

/**
 * Silent broadcasts and the rooms whose mentions are muted. Stored by the service through
 * `notify.setPreferences` (it then makes no mention in a muted room); every tab follows the change.
 */
export function NotificationPreferences() {
  const store = useNotificationsStore();
  const { preferences } = useNotifications();
  const rooms = useRooms();
  const id = useId();
  // What the person chose, shown at once while the command is out (then the stored value again).
  const [pending, setPending] = useState<Preferences | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function save(chosen: Preferences, change: Promise<ActionResult>) {
    setPending(chosen);
    const result = await change;
    setPending(null);
    setError(result.ok ? null : result.message);
  }

  const shownPreferences = pending ?? preferences;
  if (!shownPreferences) return null;
  const busy = pending !== null;
  const muted = new Set(shownPreferences.mutedRooms);
  const toggleRoom = (roomId: RoomId, mute: boolean) => {
    const mutedRooms = mute ? [...muted, roomId] : [...muted].filter((r) => r !== roomId);
    void save({ ...shownPreferences, mutedRooms }, store.setPreferences({ mutedRooms }));
  };
  const setSilent = (silentBroadcasts: boolean) =>
    void save({ ...shownPreferences, silentBroadcasts }, store.setPreferences({ silentBroadcasts }));
  // My rooms, and any muted room I have left (so it can be unmuted).
  const shown = rooms.rooms.filter((room) => room.joined || muted.has(room.id));

  return (
    <section aria-labelledby={`${id}-heading`} className="space-y-3 rounded-lg border border-neutral-200 p-4 text-sm dark:border-neutral-800">
      <h2 id={`${id}-heading`} className="font-semibold">
        Preferences
      </h2>
      <label className="flex items-center gap-2">
        <input
          type="checkbox"
          checked={shownPreferences.silentBroadcasts}
          disabled={busy}
          onChange={(event) => setSilent(event.target.checked)}
        />
        Silent broadcasts (listed, never counted or alerted)
      </label>
      <fieldset className="space-y-1">
        <legend className="mb-1 text-neutral-600 dark:text-neutral-400">Mute mentions in</legend>
        {!rooms.loaded ? (
          <p className="text-neutral-500">Loading rooms…</p>
        ) : shown.length === 0 ? (
          <p className="text-neutral-500">You are in no room yet.</p>
        ) : (
          shown.map((room) => (
            <label key={room.id} className="flex items-center gap-2">
              <input type="checkbox" checked={muted.has(room.id)} disabled={busy} onChange={(event) => toggleRoom(room.id, event.target.checked)} />
              <span>#{room.name}</span>
            </label>
          ))
        )}
        {rooms.hasMore && (
          <button type="button" onClick={rooms.loadMore} disabled={rooms.loadingMore} className="text-xs font-medium underline">
            More rooms
          </button>
        )}
      </fieldset>
      {(error ?? rooms.error) && (
        <p role="alert" className="text-red-700 dark:text-red-400">
          {error ?? rooms.error}
        </p>
      )}
    </section>
  );
}
