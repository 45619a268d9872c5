"use client";

// The pain panels' readers: one SDK client per proxy (or setting), all reading the same topic,
// so a panel can put a broken path and its fix side by side. Each reader reports what a person
// watching it needs: how many events came, how many times it had to reconnect, and why.
import { createClient, failureText, type ClientOptions, type ClientStatus, type RealtimeClient } from "@repo/client";
import type { Position, Topic, TransportName } from "@repo/protocol";
import { useEffect, useState } from "react";

export interface ReaderSpec {
  key: string;
  url: string;
  transport: TransportName;
  options?: Partial<ClientOptions>;
}

export interface ReaderView {
  status: ClientStatus;
  events: number;
  reconnects: number;
  /** Delivery latency p50 over the recent events (ms), or null before any. */
  latencyP50: number | null;
  /** The largest number of events that arrived within one redraw: a clump means they were held. */
  largestClump: number;
  /** Time since the last event (ms), or null before any. */
  quietMs: number | null;
  lastError: string | null;
}

const REDRAW_MS = 250;

const EMPTY: ReaderView = { status: "idle", events: 0, reconnects: 0, latencyP50: null, largestClump: 0, quietMs: null, lastError: null };

/** Reads `topic` (from `cursor`, or from now) through every spec while `topic` is set. */
export function useProxyReaders(specs: readonly ReaderSpec[], topic: Topic | null, cursor?: Position): Record<string, ReaderView> {
  const [views, setViews] = useState<Record<string, ReaderView>>(() => Object.fromEntries(specs.map((spec) => [spec.key, EMPTY])));
  useEffect(() => {
    if (!topic) return;
    const readers = specs.map((spec) => {
      const client: RealtimeClient = createClient({ url: spec.url, transport: spec.transport, reconnect: { maxMs: 2000 }, ...spec.options });
      const state = { events: 0, lastAt: 0, clump: 0, largestClump: 0, lastError: null as string | null };
      const offStatus = client.on("status", (_status, detail) => {
        if (detail.error !== undefined) state.lastError = failureText(detail.error);
      });
      const offTopic = client.subscribe(
        topic,
        () => {
          state.events++;
          state.clump++;
          state.lastAt = Date.now();
        },
        { cursor, onError: (refusal) => (state.lastError = failureText(refusal)) },
      );
      return { spec, client, state, off: () => (offTopic(), offStatus()) };
    });
    const timer = setInterval(() => {
      const now = Date.now();
      const next: Record<string, ReaderView> = {};
      for (const { spec, client, state } of readers) {
        state.largestClump = Math.max(state.largestClump, state.clump);
        state.clump = 0;
        const metrics = client.metrics();
        next[spec.key] = {
          status: client.status,
          events: state.events,
          reconnects: metrics.reconnects,
          latencyP50: metrics.latency.samples > 0 ? metrics.latency.p50 : null,
          largestClump: state.largestClump,
          quietMs: state.lastAt > 0 ? now - state.lastAt : null,
          lastError: state.lastError,
        };
      }
      setViews(next);
    }, REDRAW_MS);
    return () => {
      clearInterval(timer);
      for (const { client, off } of readers) {
        off();
        client.close();
      }
    };
  }, [specs, topic, cursor]);
  return views;
}
