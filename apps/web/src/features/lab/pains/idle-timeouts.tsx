"use client";

// Cause: a proxy with a short idle timeout (nginx proxy_read_timeout 5 s here, as load balancers
// do) cuts a response that stays quiet longer: a long poll held 25 s gets a 504, an SSE stream whose
// heartbeat comes every 15 s is closed. Fix: keep each quiet gap under the timeout. The service's
// hold and heartbeat are its own settings (LONG_POLL_TIMEOUT_MS, SSE_HEARTBEAT_MS); a client may ask
// for shorter ones per request (`longPollTimeoutMs`, `sseHeartbeatMs` in the SDK), so one service
// shows both sides without a second instance configured differently.
import { createClient, failureText } from "@repo/client";
import { echoTopic } from "@repo/protocol";
import { useEffect, useMemo, useState } from "react";
import { useUser } from "@/components/session";
import { env } from "@/env";
import { useProxiesUp } from "../state/use-proxies-up";
import { useProxyReaders, type ReaderSpec } from "../state/use-proxy-readers";
import { ProxiesNote, ReaderCard } from "./pain-parts";

/** Under the proxy's 5 s (tooling/nginx IDLE_TIMEOUT_S). */
const SHORT_MS = 3_000;
const IDLE = env.NEXT_PUBLIC_LAB_PROXY_IDLE_URL;
const READERS: readonly ReaderSpec[] = [
  { key: "lp-cause", url: IDLE, transport: "long-polling" },
  { key: "lp-fix", url: IDLE, transport: "long-polling", options: { longPollTimeoutMs: SHORT_MS } },
  { key: "sse-cause", url: IDLE, transport: "sse" },
  { key: "sse-fix", url: IDLE, transport: "sse", options: { sseHeartbeatMs: SHORT_MS } },
];
const PROXIES = [IDLE];
const CARDS = [
  { key: "lp-cause", tone: "cause", title: "Long poll, the service's hold (25 s)", detail: "held past 5 s: nginx answers 504" },
  { key: "lp-fix", tone: "fix", title: `Long poll, ${SHORT_MS / 1000} s hold`, detail: "answered (empty) before the proxy gives up" },
  { key: "sse-cause", tone: "cause", title: "SSE, the service's heartbeat (15 s)", detail: "quiet past 5 s: nginx closes the stream" },
  { key: "sse-fix", tone: "fix", title: `SSE, ${SHORT_MS / 1000} s heartbeat`, detail: "a comment line keeps it busy" },
] as const;

export function IdleTimeouts() {
  const user = useUser();
  const up = useProxiesUp(PROXIES);
  const [reading, setReading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A quiet topic: the user's own echo channel, which moves only when "Echo" is pressed.
  const topic = useMemo(() => echoTopic(user.id), [user.id]);
  const views = useProxyReaders(READERS, reading ? topic : null);
  const [commands] = useState(() => createClient({ url: env.NEXT_PUBLIC_REALTIME_URL, transport: "polling" }));
  useEffect(() => () => commands.close(), [commands]);

  const echo = () => {
    setError(null);
    commands.send({ type: "echo", payload: { text: "after the quiet" } }).catch((caught: unknown) => setError(failureText(caught)));
  };

  return (
    <div className="flex flex-col gap-2">
      <p className="text-sm">
        Four readers of a quiet topic through one real nginx with <code>proxy_read_timeout 5s</code>. Leave them a while: the ones waiting longer than 5 s
        are cut and reconnect; the ones answering or heartbeating sooner are not. Press Echo to see all four still deliver.
      </p>
      <ProxiesNote up={up} />
      {up === "up" && (
        <>
          <div className="flex gap-2">
            <button type="button" data-testid="idle-timeouts-toggle" className="rounded border px-2 py-1 text-sm" onClick={() => setReading(!reading)}>
              {reading ? "Stop reading" : "Start reading"}
            </button>
            <button type="button" data-testid="idle-timeouts-echo" className="rounded border px-2 py-1 text-sm" disabled={!reading} onClick={echo}>
              Echo
            </button>
            {error && <span className="text-sm text-red-600">{error}</span>}
          </div>
          <div className="grid grid-cols-1 gap-2 md:grid-cols-4">
            {CARDS.map((card) => (
              <ReaderCard key={card.key} testId={`idle-${card.key}`} tone={card.tone} title={card.title} detail={card.detail} view={views[card.key]!} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
