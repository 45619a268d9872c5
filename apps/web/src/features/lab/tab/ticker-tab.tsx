"use client";

// One tab of the "six connections" experiment (/lab-tab?mode=plain|shared): it reads the
// service's ticker over SSE, either with its own connection (plain) or through the tabs' shared
// one (shared mode, @repo/client/shared), and shows what arrived: how many, from which offset to
// which, and any gap or repeat (there must be none). It sits outside the app shell on purpose:
// the shell's own connections (notifications, flags) would count against the browser's limit.
import { createClient, failureText, type ClientStatus, type RealtimeClient } from "@repo/client";
import { createSharedClient, type SharedRole } from "@repo/client/shared";
import { TICKER_TOPIC } from "@repo/protocol";
import { useEffect, useState } from "react";
import { env } from "@/env";

export type TabMode = "plain" | "shared";

/** Tabs of the experiment share under this name; nothing else in the app does. */
export const LAB_SHARE_NAME = "lab-six-connections";

interface Received {
  count: number;
  first: number | null;
  last: number | null;
  gaps: number;
  repeats: number;
}

const NOTHING: Received = { count: 0, first: null, last: null, gaps: 0, repeats: 0 };

function received(before: Received, offset: number): Received {
  const gap = before.last !== null && offset > before.last + 1;
  const repeat = before.last !== null && offset <= before.last;
  return {
    count: before.count + 1,
    first: before.first ?? offset,
    last: Math.max(before.last ?? offset, offset),
    gaps: before.gaps + (gap ? 1 : 0),
    repeats: before.repeats + (repeat ? 1 : 0),
  };
}

export function TickerTab({ mode }: { mode: TabMode }) {
  const [got, setGot] = useState<Received>(NOTHING);
  const [status, setStatus] = useState<ClientStatus>("idle");
  const [role, setRole] = useState<SharedRole | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const options = { url: env.NEXT_PUBLIC_REALTIME_URL, transport: "sse", reconnect: { maxMs: 5000 } };
    const shared = mode === "shared" ? createSharedClient({ ...options, share: { name: LAB_SHARE_NAME } }) : null;
    const plain = shared ? null : createClient(options);
    // The same calls on either client.
    const client: Pick<RealtimeClient, "subscribe" | "close"> = shared ?? plain!;
    const onStatus = (next: ClientStatus, detail: { error?: unknown }) => {
      setStatus(next);
      setError(detail.error === undefined ? null : failureText(detail.error));
    };
    const offs = [shared ? shared.on("status", onStatus) : plain!.on("status", onStatus), shared?.on("role", setRole) ?? (() => {})];
    const stop = client.subscribe(TICKER_TOPIC, (event) => setGot((before) => received(before, event.offset)), {
      onError: (refusal) => setError(failureText(refusal)),
    });
    return () => {
      stop();
      for (const off of offs) off();
      client.close();
    };
  }, [mode]);

  return (
    <main className="mx-auto flex max-w-md flex-col gap-2 p-4 text-sm">
      <h1 className="text-lg font-semibold">Ticker over SSE, {mode === "shared" ? "shared connection" : "own connection"}</h1>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-1 tabular-nums">
        <dt>Status</dt>
        <dd data-testid="status">{status}</dd>
        {mode === "shared" && (
          <>
            <dt>This tab</dt>
            <dd data-testid="role">{role ?? "…"}</dd>
          </>
        )}
        <dt>Ticks received</dt>
        <dd data-testid="count">{got.count}</dd>
        <dt>Offsets</dt>
        <dd>
          <span data-testid="first">{got.first ?? "–"}</span> … <span data-testid="last">{got.last ?? "–"}</span>
        </dd>
        <dt>Gaps / repeats</dt>
        <dd>
          <span data-testid="gaps">{got.gaps}</span> / <span data-testid="repeats">{got.repeats}</span>
        </dd>
      </dl>
      {got.count === 0 && status !== "open" && <p>Waiting for a connection: the browser may be holding this tab&apos;s stream in its queue.</p>}
      {error && (
        <p role="alert" className="text-red-600">
          {error}
        </p>
      )}
    </main>
  );
}
