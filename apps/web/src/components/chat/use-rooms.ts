"use client";

import { ChatRoomsResponse, chatPaths, type ChatRoom } from "@repo/protocol";
import { useCallback, useEffect, useState } from "react";
import { failureMessage, getJson } from "@/lib/realtime";

/** Rooms change rarely and have no topic of their own: refetched on demand and every so often. */
const REFRESH_MS = 20_000;

export interface RoomsState {
  rooms: ChatRoom[];
  loaded: boolean;
  error: string | null;
  refresh: () => void;
}

/** The room directory (`GET /v1/chat/rooms`). */
export function useRooms(): RoomsState {
  const [state, setState] = useState<Omit<RoomsState, "refresh">>({ rooms: [], loaded: false, error: null });
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((n) => n + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    void getJson(chatPaths.rooms, ChatRoomsResponse, controller.signal).then((result) => {
      if (controller.signal.aborted) return;
      if (result.ok) setState({ rooms: result.value.rooms, loaded: true, error: null });
      else setState((previous) => ({ ...previous, loaded: true, error: failureMessage(result) }));
    });
    const timer = setTimeout(refresh, REFRESH_MS);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [version, refresh]);

  return { ...state, refresh };
}
