"use client";

import { failureText } from "@repo/client";
import { LOBBY_ROOM, type RoomId } from "@repo/protocol";
import { useEffect, useId, useState, useSyncExternalStore } from "react";
import { ChatRoomController } from "../room/chat-room";
import { useFeatureClient } from "@/components/realtime-provider";
import { useUser } from "@/components/session";
import { Composer } from "./composer";
import { MessageList } from "./message-list";
import { PresenceList } from "./presence-list";
import { TypingLine } from "./typing-line";

/** One open room: its messages, composer, typing line and presence. Mounted per room (keyed by id). */
export function RoomView({
  roomId,
  onRoomsChanged,
  onLeft,
}: {
  roomId: RoomId;
  onRoomsChanged: () => void;
  onLeft: () => void;
}) {
  const client = useFeatureClient("chat");
  const me = useUser();
  const headingId = useId();
  const [controller] = useState(() => new ChatRoomController(client, roomId, me));
  const room = useSyncExternalStore(controller.subscribe, controller.getSnapshot, controller.getSnapshot);
  const [leaving, setLeaving] = useState(false);
  const [leaveError, setLeaveError] = useState<string | null>(null);

  useEffect(() => {
    controller.start();
    return controller.stop;
  }, [controller]);

  // Joined (perhaps for the first time), or someone joined or left: the directory's joined
  // flags and member counts changed.
  const ready = room.phase === "ready";
  const members = room.room?.members;
  useEffect(() => {
    if (ready) onRoomsChanged();
  }, [ready, members, onRoomsChanged]);

  async function leave() {
    setLeaving(true);
    setLeaveError(null);
    // Stop following first: once we leave, the topic is no longer ours to read.
    controller.stop();
    try {
      await client.send({ type: "chat.leave", payload: { roomId } });
      onRoomsChanged();
      onLeft();
    } catch (error) {
      controller.start();
      setLeaving(false);
      setLeaveError(failureText(error));
    }
  }

  const title = room.room?.name ?? (roomId === LOBBY_ROOM.id ? LOBBY_ROOM.name : roomId);

  // The message list scrolls inside this section, so the section's height must be bounded: wide,
  // by the chat grid (one row the window's height); narrow, where the grid stacks and grows with
  // its content, by a height of its own. Unbounded, the list would grow to hold every message,
  // load the whole history and open at the beginning of the room.
  return (
    <>
      <section
        aria-labelledby={headingId}
        className="flex h-[80dvh] min-h-[24rem] flex-col overflow-hidden rounded-lg border border-neutral-200 lg:h-auto dark:border-neutral-800"
      >
        <header className="flex flex-wrap items-center gap-x-4 gap-y-1 border-b border-neutral-200 px-4 py-2.5 dark:border-neutral-800">
          <h1 id={headingId} className="text-lg font-semibold tracking-tight">
            <span aria-hidden="true" className="mr-1 text-neutral-400">
              #
            </span>
            {title}
          </h1>
          {room.room && (
            <p className="text-sm text-neutral-600 dark:text-neutral-400">
              {room.room.members} {room.room.members === 1 ? "member" : "members"}
            </p>
          )}
          {roomId !== LOBBY_ROOM.id && room.phase === "ready" && (
            <button
              type="button"
              onClick={() => void leave()}
              disabled={leaving}
              className="ml-auto rounded-md border border-neutral-300 px-2.5 py-1 text-sm font-medium hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-60 dark:border-neutral-700 dark:hover:bg-neutral-900"
            >
              {leaving ? "Leaving…" : "Leave room"}
            </button>
          )}
        </header>
        {leaveError && (
          <p role="alert" className="border-b border-neutral-200 px-4 py-2 text-sm text-red-700 dark:border-neutral-800 dark:text-red-400">
            Couldn&apos;t leave: {leaveError}
          </p>
        )}
        {room.phase === "error" ? (
          <div role="alert" className="flex flex-1 flex-col items-start gap-3 p-4">
            <p>Couldn&apos;t open this room: {room.error}</p>
            <div className="flex gap-2">
              <button
                type="button"
                onClick={controller.retryEntry}
                className="rounded-md bg-neutral-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-neutral-700 dark:bg-neutral-100 dark:text-neutral-900 dark:hover:bg-neutral-300"
              >
                Try again
              </button>
              {roomId !== LOBBY_ROOM.id && (
                <button
                  type="button"
                  onClick={onLeft}
                  className="rounded-md border border-neutral-300 px-3 py-1.5 text-sm font-medium hover:bg-neutral-100 dark:border-neutral-700 dark:hover:bg-neutral-900"
                >
                  Back to the lobby
                </button>
              )}
            </div>
          </div>
        ) : room.phase !== "ready" ? (
          <p role="status" className="flex-1 p-4 text-neutral-600 dark:text-neutral-400">
            {room.phase === "joining" ? "Joining the room…" : "Loading messages…"}
          </p>
        ) : (
          <MessageList room={room} me={me} controller={controller} />
        )}
        <TypingLine users={room.typing} />
        <Composer
          roomName={title}
          disabled={room.phase !== "ready"}
          rateLimitedUntil={room.rateLimitedUntil}
          onSend={controller.send}
          onTyping={controller.typing}
        />
      </section>
      <PresenceList users={room.presence} me={me} ready={room.phase === "ready"} />
    </>
  );
}
