"use client";

// /lab: one synthetic stream from the service, read at once over all four transports, each by
// its own client. Sections stack: the settings, the four transports side by side, and below
// them room for more experiments (the classic pains) that reuse the same stream and panels.
import { LAB_LIMITS, TRANSPORT_NAMES, type LabSettings } from "@repo/protocol";
import { useEffect, useRef, useState } from "react";
import { LAB_PAINS } from "../pains/lab-pains";
import { useLab } from "../state/use-lab";
import { LabControls } from "./lab-controls";
import { TransportPanel } from "./transport-panel";

const INITIAL: LabSettings = { rate: 20, payloadBytes: 64, burstiness: 0 };
/** Sliders move in steps: one configure after the hand rests. */
const CONFIGURE_DEBOUNCE_MS = 300;

const STOP_WORDS = {
  stopped: "Stopped.",
  expired: `Stopped: a stream runs at most ${LAB_LIMITS.maxLifetimeMs / 60_000} minutes. Start another.`,
  away: "Stopped: the service saw nobody reading it.",
  shutdown: "Stopped: the service is restarting.",
} as const;

export function LabPage() {
  const { rig, stream, error, tick, start, configure, stop } = useLab();
  const [settings, setSettings] = useState<LabSettings>(INITIAL);
  const running = stream.phase === "running";
  const applied = useRef<LabSettings>(INITIAL);

  useEffect(() => {
    if (!running || settings === applied.current) return;
    if (settings.rate * settings.payloadBytes > LAB_LIMITS.bytesPerSecondMax) return;
    const timer = setTimeout(() => {
      applied.current = settings;
      void configure(settings);
    }, CONFIGURE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [settings, running, configure]);

  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Transport lab</h1>
        <p className="max-w-3xl text-sm text-neutral-600 dark:text-neutral-400">
          One stream from the service, read at the same time over short polling, long polling, Server-Sent Events and WebSocket. Each message carries the
          service&apos;s send time: latency here is this browser&apos;s clock minus the service&apos;s (exact when both run on one machine). The stream stops when
          you leave the page. The header&apos;s transport switcher does not apply here: each panel keeps its own transport.
        </p>
      </div>

      <LabControls
        settings={settings}
        onChange={setSettings}
        running={running}
        busy={stream.phase === "starting"}
        onStart={() => {
          applied.current = settings;
          void start(settings);
        }}
        onStop={() => void stop()}
      />
      <p role="status" className="text-sm text-neutral-600 dark:text-neutral-400">
        {stream.phase === "running"
          ? `Streaming ${settings.rate} msg/s.`
          : stream.phase === "starting"
            ? "Starting…"
            : stream.stoppedBecause
              ? STOP_WORDS[stream.stoppedBecause]
              : "Not streaming."}
      </p>
      {error && (
        <p role="alert" className="text-sm text-red-600">
          {error}
        </p>
      )}

      <div className="grid grid-cols-1 gap-3 md:grid-cols-2 2xl:grid-cols-4">
        {TRANSPORT_NAMES.map((transport) => (
          <TransportPanel key={transport} transport={transport} client={rig.clients[transport]} recorder={rig.recorders[transport]} tick={tick} />
        ))}
      </div>

      {LAB_PAINS.length > 0 && (
        <div className="flex flex-col gap-4">
          <h2 className="text-xl font-semibold">The classic pains</h2>
          {LAB_PAINS.map(({ id, title, Component }) => (
            <section key={id} id={id} aria-labelledby={`${id}-title`} className="rounded border border-neutral-200 p-3 dark:border-neutral-800">
              <h3 id={`${id}-title`} className="text-lg font-semibold">
                {title}
              </h3>
              <Component />
            </section>
          ))}
        </div>
      )}
    </div>
  );
}
