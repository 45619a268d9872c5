"use client";

import type { User } from "@repo/protocol";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { isPending, itemKey } from "../room/message-store";
import type { ChatRoomController } from "../room/chat-room";
import type { RoomSnapshot } from "../room/room-snapshot";
import { MessageRow } from "./message-row";
import { useMessageTarget } from "./use-message-target";

/** Start loading the previous page when the reader gets this close to the top (px). */
const LOAD_OLDER_WITHIN_PX = 600;
/** Room for the "load older" line above the first message (px). */
const HEADER_PX = 44;
/** Older pages loaded at most while looking for a linked message (it may have been deleted). */
const TARGET_SEARCH_PAGES = 10;

/**
 * The room's messages, virtualized (only the rows near the viewport are in the DOM, so
 * thousands of messages stay smooth). Anchored to the end like a chat: it opens at the newest
 * message, follows new ones while the reader is at the bottom, keeps the reader's place when
 * an older page is prepended, and jumps to the bottom when I send. A link to a message
 * (`#message-<id>`, from a mention) brings it into view and marks it, loading older pages to
 * find it (the row is not in the DOM until it is near the viewport, so the browser cannot
 * jump to the anchor itself). It is its own scroll
 * container: that takes a parent of bounded height (RoomView's section), else it grows to its
 * content, never scrolls, and keeps loading older pages to fill itself.
 */
export function MessageList({ room, me, controller }: { room: RoomSnapshot; me: User; controller: ChatRoomController }) {
  const { items, hasMore, loadingOlder, olderError } = room;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [editingId, setEditingId] = useState<string | null>(null);

  // The virtualizer is an imperative object read during render; the React Compiler cannot
  // memoize around it, which is fine: this component is not compiled.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 64,
    getItemKey: (index) => itemKey(items[index]!),
    overscan: 8,
    paddingStart: HEADER_PX,
    paddingEnd: 8,
    anchorTo: "end",
    followOnAppend: true,
    scrollEndThreshold: 48,
  });

  // First content: open at the newest message. A message I just typed: go to it.
  const lastItem = items.at(-1);
  const lastKey = lastItem ? itemKey(lastItem) : null;
  const shownLastKey = useRef<string | null>(null);
  useLayoutEffect(() => {
    const previous = shownLastKey.current;
    shownLastKey.current = lastKey;
    if (lastKey === null || lastKey === previous) return;
    if (previous === null || (lastItem && isPending(lastItem) && lastItem.state === "sending")) virtualizer.scrollToEnd();
  }, [lastKey, lastItem, virtualizer]);

  const loadOlder = controller.loadOlder;

  // A linked message: once it is loaded, centre it (once per link); until then, page back for it.
  const targetId = useMessageTarget();
  const reachedTarget = useRef<string | null>(null);
  const searchedPages = useRef(0);
  useLayoutEffect(() => {
    if (targetId === null || reachedTarget.current === targetId) return;
    const index = items.findIndex((item) => !isPending(item) && item.id === targetId);
    if (index >= 0) {
      reachedTarget.current = targetId;
      virtualizer.scrollToIndex(index, { align: "center" });
    } else if (hasMore && !loadingOlder && searchedPages.current < TARGET_SEARCH_PAGES) {
      searchedPages.current++;
      loadOlder();
    }
  }, [targetId, items, hasMore, loadingOlder, loadOlder, virtualizer]);

  const onScroll = useCallback(() => {
    const element = scrollRef.current;
    if (element && element.scrollTop < LOAD_OLDER_WITHIN_PX) loadOlder();
  }, [loadOlder]);

  // Too few messages to scroll (or still near the top after a page came in): keep loading.
  useEffect(() => {
    const element = scrollRef.current;
    if (!element || !hasMore || loadingOlder || items.length === 0) return;
    if (element.scrollHeight <= element.clientHeight || element.scrollTop < LOAD_OLDER_WITHIN_PX / 2) loadOlder();
  }, [hasMore, loadingOlder, items.length, loadOlder]);

  const stopEditing = useCallback(() => setEditingId(null), []);

  return (
    <div
      ref={scrollRef}
      onScroll={onScroll}
      role="log"
      aria-label="Messages"
      tabIndex={0}
      className="relative min-h-0 flex-1 overflow-y-auto overscroll-contain focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-blue-600"
    >
      <div className="absolute inset-x-0 top-0 flex items-center justify-center text-sm" style={{ height: HEADER_PX }}>
        {olderError ? (
          <p className="text-red-700 dark:text-red-400">
            Couldn&apos;t load older messages.{" "}
            <button type="button" onClick={loadOlder} className="font-medium underline">
              Try again
            </button>
          </p>
        ) : loadingOlder ? (
          <p className="text-neutral-600 dark:text-neutral-400">Loading older messages…</p>
        ) : hasMore ? (
          <button type="button" onClick={loadOlder} className="font-medium text-neutral-600 underline hover:text-neutral-900 dark:text-neutral-400 dark:hover:text-neutral-100">
            Load older messages
          </button>
        ) : items.length > 0 ? (
          <p className="text-neutral-500">The beginning of the room.</p>
        ) : null}
      </div>
      {items.length === 0 && (
        <p className="absolute inset-x-0 top-1/2 -translate-y-1/2 text-center text-neutral-600 dark:text-neutral-400">
          No messages yet. Say hello!
        </p>
      )}
      <div role="list" className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((row) => {
          const item = items[row.index]!;
          const key = String(row.key);
          const targeted = key === targetId;
          return (
            <div
              key={key}
              ref={virtualizer.measureElement}
              data-index={row.index}
              data-targeted={targeted || undefined}
              aria-current={targeted ? "location" : undefined}
              role="listitem"
              className={`absolute top-0 left-0 w-full ${targeted ? "bg-amber-50 ring-2 ring-amber-400 ring-inset dark:bg-amber-950/40" : ""}`}
              style={{ transform: `translateY(${row.start}px)` }}
            >
              <MessageRow
                item={item}
                me={me}
                editing={editingId === key}
                onStartEditing={setEditingId}
                onStopEditing={stopEditing}
                controller={controller}
              />
            </div>
          );
        })}
      </div>
    </div>
  );
}
