import { createDatabase, type Database } from "@repo/db";
import type { ServerConfig } from "../../src/config";
import { createServer, type RealtimeServer, type ServerDeps } from "../../src/server";

export const ALLOWED_ORIGIN = "http://localhost:3000";

export interface RunningServer {
  server: RealtimeServer;
  db: Database;
  baseUrl: string;
  stop(): Promise<void>;
}

/** A real service on a free port over an in-memory PGlite database (or the one given). */
export async function startServer(
  options: { config?: Partial<ServerConfig>; db?: Database; features?: ServerDeps["features"] } = {},
): Promise<RunningServer> {
  const db = options.db ?? (await createDatabase({ pgliteDir: "memory" }));
  const server = await createServer({
    db,
    config: { allowedOrigins: [ALLOWED_ORIGIN], ...options.config },
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
