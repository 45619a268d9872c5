"use client";

import { failureText, type RealtimeClient } from "@repo/client";
import { ChatRoomsResponse, chatPaths, type ChatRoom } from "@repo/protocol";
import { useCallback, useEffect, useRef, useState } from "react";
import { useFeatureClient } from "@/components/realtime-provider";

/** Rooms change rarely and have no topic of their own: refetched on demand and every so often. */
const REFRESH_MS = 20_000;

export interface RoomsState {
  rooms: ChatRoom[];
  loaded: boolean;
  error: string | null;
  refresh: () => void;
  /** More rooms follow the ones shown. */
  hasMore: boolean;
  loadingMore: boolean;
  /** Appends the next directory page. */
  loadMore: () => void;
}

/** One directory page as loaded: where it started, so a refresh asks for the same page again. */
interface Page {
  after: string | null;
  rooms: ChatRoom[];
  nextCursor: string | null;
}

function fetchPage(client: RealtimeClient, after: string | null, signal?: AbortSignal): Promise<ChatRoomsResponse> {
  const query = after === null ? "" : `?after=${encodeURIComponent(after)}`;
  return client.get(`${chatPaths.rooms}${query}`, ChatRoomsResponse, { signal });
}

/**
 * The room directory (`GET /v1/chat/rooms`), a page at a time: the first page,
 * then one more per `loadMore`. A refresh reloads every page shown (keyset
 * cursors stay valid, so nothing shifts); new rooms show up at the end.
 */
export function useRooms(): RoomsState {
  const client = useFeatureClient("chat");
  const [pages, setPages] = useState<Page[]>([]);
  const [status, setStatus] = useState<{ loaded: boolean; error: string | null }>({ loaded: false, error: null });
  const [loadingMore, setLoadingMore] = useState(false);
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((n) => n + 1), []);
  // What a refresh reloads: the pages shown now (read in the effect, not a dependency of it).
  const pagesRef = useRef(pages);
  useEffect(() => {
    pagesRef.current = pages;
  }, [pages]);

  useEffect(() => {
    const controller = new AbortController();
    const afters = pagesRef.current.length > 0 ? pagesRef.current.map((page) => page.after) : [null];
    Promise.all(afters.map((after) => fetchPage(client, after, controller.signal))).then(
      (results) => {
        if (controller.signal.aborted) return;
        setPages(results.map((result, i) => ({ after: afters[i] ?? null, ...result })));
        setStatus({ loaded: true, error: null });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setStatus({ loaded: true, error: failureText(error) });
      },
    );
    const timer = setTimeout(refresh, REFRESH_MS);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [client, version, refresh]);

  const nextCursor = pages.at(-1)?.nextCursor ?? null;
  const loadMore = useCallback(() => {
    if (nextCursor === null || loadingMore) return;
    setLoadingMore(true);
    fetchPage(client, nextCursor).then(
      (result) => {
        setLoadingMore(false);
        // Only if the list is still where it was (a refresh may have replaced it meanwhile).
        setPages((current) => (current.at(-1)?.nextCursor === nextCursor ? [...current, { after: nextCursor, ...result }] : current));
      },
      (error: unknown) => {
        setLoadingMore(false);
        setStatus((previous) => ({ ...previous, error: failureText(error) }));
      },
    );
  }, [client, nextCursor, loadingMore]);

  const seen = new Set<string>();
  const rooms = pages.flatMap((page) => page.rooms).filter((room) => !seen.has(room.id) && seen.add(room.id));
  return { rooms, ...status, refresh, hasMore: nextCursor !== null, loadingMore, loadMore };
}
