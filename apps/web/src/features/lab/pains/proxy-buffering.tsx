"use client";

// Cause: a proxy that buffers (and gzips) text/event-stream, ignoring the service's
// `X-Accel-Buffering: no`: frames are held, then arrive in a clump or never. Fix: the same
// stream through a proxy with buffering off. Both read one lab stream this panel starts.
import { createClient, failureText } from "@repo/client";
import type { Position, Topic } from "@repo/protocol";
import { useEffect, useState } from "react";
import { env } from "@/env";
import { useProxiesUp } from "../state/use-proxies-up";
import { useProxyReaders, type ReaderSpec } from "../state/use-proxy-readers";
import { ProxiesNote, ReaderCard } from "./pain-parts";

const READERS: readonly ReaderSpec[] = [
  { key: "buffered", url: env.NEXT_PUBLIC_LAB_PROXY_BUFFERED_URL, transport: "sse" },
  { key: "fixed", url: env.NEXT_PUBLIC_LAB_PROXY_FIXED_URL, transport: "sse" },
];
const PROXIES = READERS.map((reader) => reader.url);
/** Small frames at a steady rate: a buffering proxy holds many before anything shows. */
const SETTINGS = { rate: 20, payloadBytes: 256, burstiness: 0 };

type Stream = { streamId: string; topic: Topic; position: Position };

export function ProxyBuffering() {
  const up = useProxiesUp(PROXIES);
  const [stream, setStream] = useState<Stream | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Commands go straight to the service: only the readers go through the proxies.
  const [commands] = useState(() => createClient({ url: env.NEXT_PUBLIC_REALTIME_URL, transport: "polling" }));
  const views = useProxyReaders(READERS, stream?.topic ?? null, stream?.position);
  useEffect(() => () => commands.close(), [commands]);

  const start = async () => {
    setError(null);
    try {
      const started = await commands.send({ type: "lab.start", payload: SETTINGS });
      setStream({ streamId: started.streamId, topic: started.topic, position: started.position });
    } catch (caught) {
      setError(failureText(caught));
    }
  };
  const stop = async () => {
    if (!stream) return;
    setStream(null);
    await commands.send({ type: "lab.stop", payload: { streamId: stream.streamId } }).catch(() => undefined);
  };

  return (
    <div className="flex flex-col gap-2">
      <p className="text-sm">
        One lab stream ({SETTINGS.rate}/s, {SETTINGS.payloadBytes} B) read over SSE through two real nginx proxies. The buffering one holds the frames
        (<code>proxy_buffering on</code>, gzip, <code>X-Accel-Buffering</code> ignored); the fixed one passes each frame as it comes.
      </p>
      <ProxiesNote up={up} />
      {up === "up" && (
        <>
          <div>
            <button type="button" data-testid="proxy-buffering-toggle" className="rounded border px-2 py-1 text-sm" onClick={() => void (stream ? stop() : start())}>
              {stream ? "Stop the stream" : "Start a stream"}
            </button>
            {error && <span className="ml-2 text-sm text-red-600">{error}</span>}
          </div>
          <div className="grid grid-cols-1 gap-2 md:grid-cols-2">
            <ReaderCard testId="proxy-buffering-cause" tone="cause" title="Cause: buffering proxy" detail={READERS[0]!.url} view={views.buffered!} />
            <ReaderCard testId="proxy-buffering-fix" tone="fix" title="Fix: buffering off" detail={READERS[1]!.url} view={views.fixed!} />
          </div>
        </>
      )}
    </div>
  );
}
