/**
 * The clients of the reconnect storm (pinned to CPU 1): N SDK clients on one
 * transport, signed in as at most 100 guests (shared round-robin), all on the
 * bench topic. The orchestrator kills and restarts the service; this process
 * says when each client was back and what each app saw.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { TransportName } from "@repo/protocol";
import { signInGuests } from "../flags/guests";
import { serveApi } from "../ipc";
import { LAB_SESSIONS } from "../lab/lab-options";
import { StormClient } from "./storm-client";

let clients: StormClient[] = [];
const OPEN_BATCH = 50;

const api = {
  async open(args: { url: string; count: number; transport: TransportName; jitter: boolean }) {
    const signInStarted = Date.now();
    const guests = await signInGuests(args.url, Math.min(args.count, LAB_SESSIONS), "Storm", () => {});
    const connectStarted = Date.now();
    for (let start = 0; start < args.count; start += OPEN_BATCH) {
      const batch = Array.from({ length: Math.min(OPEN_BATCH, args.count - start) }, (_, i) => new StormClient(args.url, guests[(start + i) % guests.length]!, args.transport, args.jitter));
      clients.push(...batch);
      await Promise.all(batch.map((entry) => entry.client.whenOpen(60_000)));
    }
    return { opened: clients.length, signInMs: connectStarted - signInStarted, connectMs: Date.now() - connectStarted };
  },

  /** Call just before the kill: from now each client notes when it is open again. */
  watch() {
    for (const entry of clients) entry.watch();
    return null;
  },

  progress: () => ({ down: clients.filter((entry) => entry.wentDown).length, back: clients.filter((entry) => entry.backAt !== undefined).length, of: clients.length }),

  /** Waits (bounded) until every client has seen offset `head`. */
  async drain(args: { head: number; timeoutMs: number }) {
    const until = Date.now() + args.timeoutMs;
    while (clients.some((entry) => entry.highest < args.head) && Date.now() < until) await sleep(50);
    return { drained: clients.every((entry) => entry.highest >= args.head) };
  },

  report(args: { head: number }) {
    let lost = 0;
    let duplicates = 0;
    for (const entry of clients) {
      const tally = entry.tally(args.head);
      lost += tally.lost;
      duplicates += tally.duplicates;
    }
    return {
      lost,
      duplicates,
      resets: clients.reduce((sum, entry) => sum + entry.resets, 0),
      epochs: new Set(clients.flatMap((entry) => [...entry.epochs])).size,
      errors: clients.reduce((sum, entry) => sum + entry.errors, 0),
      firstError: clients.find((entry) => entry.firstError)?.firstError,
      backAt: clients.map((entry) => entry.backAt ?? null),
    };
  },

  close() {
    for (const entry of clients) entry.client.close();
    clients = [];
    return null;
  },
};

export type StormClientsApi = typeof api;

serveApi(api);
