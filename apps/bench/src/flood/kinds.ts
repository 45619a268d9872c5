/** The flood rows: one attack each, against a fresh Switchboard with its default limits. */
export const FLOOD_KINDS = ["subscribe", "session", "poll"] as const;
export type FloodKind = (typeof FLOOD_KINDS)[number];

export function isFloodKind(name: string): name is FloodKind {
  return (FLOOD_KINDS as readonly string[]).includes(name);
}

/** How hard the attacker pushes; every loop is bounded by these and by the window's length. */
export interface FloodSizes {
  /** Subscribe flood: attacker sockets (each its own guest, all from one address). */
  sockets: number;
  /** Subscribe flood: `subscribe` packets per socket, in total. */
  packetsPerSocket: number;
  /** Subscribe flood: packets sent back to back in one burst; bursts are `burstGapMs` apart. */
  burst: number;
  burstGapMs: number;
  /** Subscribe flood: events the bench puts in each attacker's `echo:<userId>` topic first, and their payload size. */
  fillEvents: number;
  fillBytes: number;
  /** Ticks put in `system:ticker` first (an hour of uptime at one a second). */
  tickerBacklog: number;
  /** Session and poll floods: requests in flight at once (each answered before the next is sent). */
  concurrency: number;
  /** Session and poll floods: most requests per window, whatever the server's speed. */
  maxRequests: number;
  /** The run is killed when the server's RSS passes this (MiB), so the machine survives. */
  rssLimitMiB: number;
}

export const DEFAULT_FLOOD_SIZES: FloodSizes = {
  sockets: 4,
  packetsPerSocket: 200,
  burst: 50,
  burstGapMs: 500,
  fillEvents: 2000,
  fillBytes: 2048,
  tickerBacklog: 3599,
  concurrency: 8,
  maxRequests: 200_000,
  rssLimitMiB: 4096,
};

/** Where the bench's clients connect from: every well-behaved client its own loopback address, the attacker one of its own. */
export const ATTACKER_ADDRESS = "127.0.200.1";

export function wellBehavedAddresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`);
}
