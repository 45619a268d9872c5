"use client";

// The six-connection limit of HTTP/1.1: a browser opens at most six connections to one host and
// port, and an SSE stream holds one for as long as it is open. Seven tabs with a stream each: the
// seventh waits in the browser's queue until another closes. The fix shown here is the SDK's
// shared-connection mode (@repo/client/shared): one tab leads and holds the only stream, the
// others follow it over a BroadcastChannel. The other fix is HTTP/2, which carries every stream
// over one connection.
import { useRef, useState } from "react";
import type { TabMode } from "../tab/ticker-tab";

const TABS = 7;

export function SixConnections() {
  const opened = useRef<Window[]>([]);
  const [blocked, setBlocked] = useState(false);

  function open(mode: TabMode) {
    // All in the click itself: a pop-up opened after an await is blocked outright.
    const windows = Array.from({ length: TABS }, () => window.open(`/lab-tab?mode=${mode}`, "_blank"));
    const got = windows.filter((tab): tab is Window => tab !== null);
    opened.current.push(...got);
    setBlocked(got.length < TABS);
  }

  function closeAll() {
    for (const tab of opened.current.splice(0)) tab.close();
    setBlocked(false);
  }

  return (
    <div className="flex flex-col gap-3 text-sm">
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <div className="flex flex-col gap-2 rounded bg-neutral-50 p-3 dark:bg-neutral-900">
          <h4 className="font-semibold">Cause: one stream per tab</h4>
          <p>
            Over HTTP/1.1 a browser opens at most six connections per host and port, for all the tabs of a profile together, and an SSE stream keeps
            its connection for as long as it is open. Each of these seven tabs reads the ticker over its own stream: six flow, and the seventh sits
            in the browser&apos;s queue, showing nothing, until another tab closes. This page&apos;s own connections to the service count too, so
            here the starving may start sooner.
          </p>
          <button type="button" className="self-start rounded border px-3 py-1" onClick={() => open("plain")}>
            Open {TABS} tabs, one connection each
          </button>
        </div>
        <div className="flex flex-col gap-2 rounded bg-neutral-50 p-3 dark:bg-neutral-900">
          <h4 className="font-semibold">Fix: one connection for all the tabs</h4>
          <p>
            In the SDK&apos;s shared mode (<code>createSharedClient</code> from <code>@repo/client/shared</code>) one tab leads: it holds a Web Lock
            and the only stream. The others follow over a BroadcastChannel: they send it their topics, cursors and commands, and it passes every
            event on. Close the leading tab and the lock passes to another, which carries on from the cursors the tabs have: nothing lost, nothing
            twice (each event has an offset). The other fix is HTTP/2, where every stream shares one connection.
          </p>
          <button type="button" className="self-start rounded border px-3 py-1" onClick={() => open("shared")}>
            Open {TABS} tabs, one shared connection
          </button>
        </div>
      </div>
      <div className="flex items-center gap-3">
        <button type="button" className="rounded border px-3 py-1" onClick={closeAll}>
          Close the tabs opened here
        </button>
        {blocked && <p role="alert">The browser blocked some of the tabs: allow pop-ups for this site and try again.</p>}
      </div>
    </div>
  );
}
