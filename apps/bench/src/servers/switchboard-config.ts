import type { ServerDeps } from "@repo/realtime";

type SwitchboardConfig = NonNullable<ServerDeps["config"]>;

/** Which config a Switchboard server process runs with. */
export type ServerProfile = "bench" | "flood";

/**
 * The bench's normal rows sign in every subscriber (and open up to --idle
 * connections per row) from 127.0.0.1, so per-IP and per-user limits
 * (sign-ins per minute, connections per IP/user, subscribes and polls per
 * second) must be far above what a row needs, or they would refuse the bench
 * itself. Put every such limit here, set generously (e.g. 1e9 sign-ins per
 * IP, 100,000 connections per IP and per user): these rows measure transport
 * cost, not limits.
 */
const plenty = [{ points: 1_000_000_000, windowSeconds: 1 }];

export const BENCH_ROW_CONFIG: SwitchboardConfig = {
  connectionLimits: { perUser: 100_000, perIp: 100_000 },
  commandRequestLimits: { points: 1_000_000_000, windowSeconds: 1 },
  commandLimits: { points: 1_000_000_000, windowSeconds: 1 },
  addressLimits: { session: plenty, "session:global": plenty, ticket: plenty, poll: plenty, subscribe: plenty, room: plenty, "room:global": plenty },
};

/**
 * Flood rows run the service with its defaults, limits included: that is
 * what they measure. Their well-behaved clients each come from their own
 * loopback address and sign in once, so default per-IP limits do not refuse
 * them; only the global sign-in quota is raised, because a hundred addresses
 * signing in within a second is the bench's set-up, not the attack.
 */
export const FLOOD_ROW_CONFIG: SwitchboardConfig = {
  addressLimits: { "session:global": [{ points: 100_000, windowSeconds: 60 }] },
};

export function configFor(profile: ServerProfile): SwitchboardConfig {
  return profile === "flood" ? FLOOD_ROW_CONFIG : BENCH_ROW_CONFIG;
}
