"use client";

import { ProtocolError, failureText } from "@repo/client";
import { RoomName, type RoomId } from "@repo/protocol";
import Link from "next/link";
import { useId, useRef, useState, type FormEvent } from "react";
import { useFeatureClient } from "@/components/realtime-provider";
import type { RoomsState } from "./use-rooms";
import { FieldError } from "@/components/field-error";

/** The room directory (a page at a time, "Show more" for the next) and the form that creates a room (validated with the shared RoomName schema). */
export function RoomList({
  rooms,
  activeRoomId,
  roomHref,
  onCreated,
}: {
  rooms: RoomsState;
  activeRoomId: RoomId;
  roomHref: (id: RoomId) => string;
  onCreated: (id: RoomId) => void;
}) {
  const client = useFeatureClient("chat");
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const parsed = RoomName.safeParse(name);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? "Invalid room name");
      inputRef.current?.focus();
      return;
    }
    setError(null);
    setPending(true);
    try {
      const { room } = await client.send({ type: "chat.createRoom", payload: { name: parsed.data } });
      setName("");
      rooms.refresh();
      onCreated(room.id);
    } catch (thrown) {
      // The one clash a new room can have is its name: say so next to the field.
      setError(thrown instanceof ProtocolError && thrown.code === "conflict" ? "A room with that name already exists." : failureText(thrown));
      inputRef.current?.focus();
    } finally {
      setPending(false);
    }
  }

  return (
    <aside aria-labelledby={`${id}-heading`} className="flex min-h-0 flex-col gap-4">
      <h2 id={`${id}-heading`} className="text-sm font-semibold tracking-wide text-neutral-600 uppercase dark:text-neutral-400">
        Rooms
      </h2>
      <nav aria-label="Rooms" className="-mx-2 min-h-0 overflow-y-auto lg:flex-1">
        {rooms.error && (
          <p role="alert" className="px-2 text-sm text-red-700 dark:text-red-400">
            Couldn&apos;t load the rooms: {rooms.error}
          </p>
        )}
        {!rooms.loaded && <p className="px-2 text-sm text-neutral-600 dark:text-neutral-400">Loading rooms…</p>}
        <ul className="space-y-0.5">
          {rooms.rooms.map((room) => (
            <li key={room.id}>
              <Link
                href={roomHref(room.id)}
                scroll={false}
                aria-current={room.id === activeRoomId ? "page" : undefined}
                className="flex items-center gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-neutral-100 aria-[current=page]:bg-neutral-900 aria-[current=page]:text-white dark:hover:bg-neutral-900 dark:aria-[current=page]:bg-neutral-100 dark:aria-[current=page]:text-neutral-900"
              >
                <span aria-hidden="true" className="opacity-60">
                  #
                </span>
                <span className="min-w-0 flex-1 truncate font-medium">{room.name}</span>
                {room.joined ? (
                  <span className="text-xs tabular-nums opacity-70" title={`${room.members} members`}>
                    <span className="sr-only">, members: </span>
                    {room.members}
                  </span>
                ) : (
                  <span className="rounded border border-current px-1 text-xs opacity-70">
                    <span className="sr-only">, not joined: </span>join
                  </span>
                )}
              </Link>
            </li>
          ))}
        </ul>
        {rooms.hasMore && (
          <button
            type="button"
            onClick={rooms.loadMore}
            disabled={rooms.loadingMore}
            aria-busy={rooms.loadingMore}
            className="mt-1 w-full rounded-md px-2 py-1.5 text-left text-sm text-neutral-600 hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-60 dark:text-neutral-400 dark:hover:bg-neutral-900"
          >
            {rooms.loadingMore ? "Loading…" : "Show more"}
          </button>
        )}
      </nav>
      <form onSubmit={(event) => void onSubmit(event)} noValidate aria-busy={pending} className="space-y-1.5">
        <label htmlFor={`${id}-name`} className="block text-sm font-medium">
          New room
        </label>
        <div className="flex gap-2">
          <input
            ref={inputRef}
            id={`${id}-name`}
            type="text"
            value={name}
            onChange={(event) => {
              setName(event.target.value);
              if (error) setError(null);
            }}
            placeholder="Room name"
            autoComplete="off"
            maxLength={384}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            className="block w-full min-w-0 rounded-md border border-neutral-300 bg-white px-2.5 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 aria-invalid:border-red-600 dark:border-neutral-700 dark:bg-neutral-900"
          />
          <button
            type="submit"
            disabled={pending}
            className="rounded-md bg-neutral-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-neutral-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 disabled:opacity-60 dark:bg-neutral-100 dark:text-neutral-900 dark:hover:bg-neutral-300"
          >
            Create
          </button>
        </div>
        <FieldError id={`${id}-error`} error={error} />
      </form>
    </aside>
  );
}
