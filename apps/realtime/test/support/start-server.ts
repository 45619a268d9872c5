import { createDatabase, type Database } from "@repo/db";
import type { AddressLimitsConfig } from "../../src/limits/address-limits";
import { createServer, type RealtimeServer, type ServerDeps } from "../../src/server";

export const ALLOWED_ORIGIN = "http://localhost:3000";

export interface RunningServer {
  server: RealtimeServer;
  db: Database;
  baseUrl: string;
  stop(): Promise<void>;
}

const PLENTY = [{ points: 1_000_000, windowSeconds: 1 }];

/**
 * Per-address limits out of the way: every test signs its guests in from
 * 127.0.0.1. A test of a limit passes its own (merged per kind).
 */
export const RELAXED_ADDRESS_LIMITS: AddressLimitsConfig = {
  session: PLENTY,
  "session:global": PLENTY,
  ticket: PLENTY,
  poll: PLENTY,
  subscribe: PLENTY,
  room: PLENTY,
  "room:global": PLENTY,
};

/** A real service on a free port over an in-memory PGlite database (or the one given). */
export async function startServer(
  options: { config?: ServerDeps["config"]; db?: Database; features?: ServerDeps["features"] } = {},
): Promise<RunningServer> {
  const db = options.db ?? (await createDatabase({ pgliteDir: "memory" }));
  const server = await createServer({
    db,
    config: {
      allowedOrigins: [ALLOWED_ORIGIN],
      ...options.config,
      addressLimits: { ...RELAXED_ADDRESS_LIMITS, ...options.config?.addressLimits },
    },
    logger: { level: "silent" },
    features: options.features,
  });
  const baseUrl = await server.listen({ port: 0 });
  return {
    server,
    db,
    baseUrl,
    async stop() {
      await server.close();
      if (!options.db) await db.close();
    },
  };
}

/** Signs a guest in over real HTTP; returns the bearer token and user. */
export async function signIn(baseUrl: string, name = "Ada") {
  const response = await fetch(`${baseUrl}/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (response.status !== 201) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { user: { id: string; name: string }; token: string };
  return { ...body, cookie: response.headers.get("set-cookie") ?? "" };
}
