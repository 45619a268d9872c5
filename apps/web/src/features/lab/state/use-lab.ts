"use client";

// The lab's four clients, one per transport, each forced to its transport (no flags, no
// fallback: the point is to watch all four at once), and the one stream they all read.
// Commands go through the SSE client (plain POSTs). Leaving the page stops the stream; a tab
// that is closed outright is noticed by the service (nobody reads the topic any more).
import { createClient, failureText, type RealtimeClient } from "@repo/client";
import { LAB_EVENTS, TRANSPORT_NAMES, type LabMessage, type LabSettings, type LabStopReason, type LabStopped, type Topic, type TransportName } from "@repo/protocol";
import { useCallback, useEffect, useRef, useState } from "react";
import { env } from "@/env";
import { TransportRecorder } from "./transport-recorder";

export interface LabRig {
  clients: Record<TransportName, RealtimeClient>;
  recorders: Record<TransportName, TransportRecorder>;
}

export type StreamState =
  | { phase: "idle"; stoppedBecause?: LabStopReason }
  | { phase: "starting" }
  | { phase: "running"; streamId: string; topic: Topic; expiresAt: number };

const COMMANDS_VIA: TransportName = "sse";
/** How often the page redraws its numbers and charts. */
const REDRAW_MS = 500;

function makeRig(): LabRig {
  const clients = {} as Record<TransportName, RealtimeClient>;
  const recorders = {} as Record<TransportName, TransportRecorder>;
  for (const transport of TRANSPORT_NAMES) {
    clients[transport] = createClient({ url: env.NEXT_PUBLIC_REALTIME_URL, transport, reconnect: { maxMs: 5000 } });
    recorders[transport] = new TransportRecorder();
  }
  return { clients, recorders };
}

export function useLab() {
  const [stream, setStreamState] = useState<StreamState>({ phase: "idle" });
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const unsubscribes = useRef<Array<() => void>>([]);
  // The stream as the callbacks and the cleanup see it (state is for rendering).
  const streamRef = useRef<StreamState>({ phase: "idle" });
  const setStream = useCallback((next: StreamState) => {
    streamRef.current = next;
    setStreamState(next);
  }, []);

  // Nothing connects until the first subscribe or send, so making the clients at the first render
  // is free. They are closed when the page goes away, deferred a tick so that StrictMode's double
  // mount (mount, unmount, mount) does not close the clients it keeps using.
  const [rig] = useState(makeRig);
  const closing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    clearTimeout(closing.current);
    const offs = TRANSPORT_NAMES.map((transport) => rig.clients[transport].on("wire", (event) => rig.recorders[transport].wireEvent(event)));
    const sampler = setInterval(() => {
      const now = Date.now();
      for (const transport of TRANSPORT_NAMES) rig.recorders[transport].sample(rig.clients[transport].metrics(), now);
    }, 1000);
    const redraw = setInterval(() => setTick((n) => n + 1), REDRAW_MS);
    const following = unsubscribes.current;
    return () => {
      clearInterval(sampler);
      clearInterval(redraw);
      for (const off of offs) off();
      closing.current = setTimeout(() => {
        for (const off of following.splice(0)) off();
        const closeAll = () => {
          for (const client of Object.values(rig.clients)) client.close();
        };
        const current = streamRef.current;
        streamRef.current = { phase: "idle" };
        // Leaving the page ends the stream now (presence would, a few seconds later).
        if (current.phase === "running") rig.clients[COMMANDS_VIA].send({ type: "lab.stop", payload: { streamId: current.streamId } }).then(closeAll, closeAll);
        else closeAll();
      }, 0);
    };
  }, [rig]);

  const follow = useCallback(
    (lab: LabRig, topic: Topic, position: { epoch: string; offset: number }) => {
      for (const transport of TRANSPORT_NAMES) {
        const recorder = lab.recorders[transport];
        recorder.newStream();
        const off = lab.clients[transport].subscribe(
          topic,
          (event) => {
            if (event.type === LAB_EVENTS.message) recorder.message(event.payload as LabMessage, Date.now());
            else if (event.type === LAB_EVENTS.stopped && transport === COMMANDS_VIA) {
              const reason = (event.payload as LabStopped).reason;
              for (const stop of unsubscribes.current.splice(0)) stop();
              setStream({ phase: "idle", stoppedBecause: reason });
            }
          },
          { cursor: position, onError: (refusal) => setError(`${transport}: ${failureText(refusal)}`) },
        );
        unsubscribes.current.push(off);
      }
    },
    [setStream],
  );

  const start = useCallback(
    async (settings: LabSettings) => {
      if (streamRef.current.phase !== "idle") return;
      setError(null);
      setStream({ phase: "starting" });
      try {
        const started = await rig.clients[COMMANDS_VIA].send({ type: "lab.start", payload: settings });
        follow(rig, started.topic, started.position);
        setStream({ phase: "running", streamId: started.streamId, topic: started.topic, expiresAt: started.expiresAt });
      } catch (caught) {
        setError(failureText(caught));
        setStream({ phase: "idle" });
      }
    },
    [rig, follow, setStream],
  );

  const configure = useCallback(
    async (settings: LabSettings) => {
      const current = streamRef.current;
      if (current.phase !== "running") return;
      try {
        await rig.clients[COMMANDS_VIA].send({ type: "lab.configure", payload: { streamId: current.streamId, ...settings } });
        setError(null);
      } catch (caught) {
        setError(failureText(caught));
      }
    },
    [rig],
  );

  const stop = useCallback(async () => {
    const current = streamRef.current;
    if (current.phase !== "running") return;
    try {
      await rig.clients[COMMANDS_VIA].send({ type: "lab.stop", payload: { streamId: current.streamId } });
    } catch (caught) {
      setError(failureText(caught));
    }
    for (const off of unsubscribes.current.splice(0)) off();
    setStream({ phase: "idle", stoppedBecause: "stopped" });
  }, [rig, setStream]);

  return { rig, stream, error, tick, start, configure, stop };
}
