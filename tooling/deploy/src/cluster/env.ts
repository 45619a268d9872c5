// The only place `pnpm cluster` reads its environment.
import { randomBytes } from "node:crypto";

export interface ClusterEnv {
  databaseUrl: string;
  redisUrl: string;
  /** Shared by every instance (sessions signed by one are checked by the others). */
  sessionSecret: string;
  /** True when SESSION_SECRET was not set and one was made up for this run. */
  secretGenerated: boolean;
  /** The rest of the environment, passed on to the children (OPERATOR_TOKEN, METRICS_TOKEN, …). */
  inherited: NodeJS.ProcessEnv;
}

export function readClusterEnv(source: NodeJS.ProcessEnv = process.env): ClusterEnv {
  const inherited = { ...source };
  // The children are plain node: a loader the CLI itself runs under (tsx) must not leak into them.
  delete inherited.NODE_OPTIONS;
  const secret = source.SESSION_SECRET?.trim();
  return {
    databaseUrl: source.DATABASE_URL?.trim() || "postgresql://postgres@127.0.0.1:5432/switchboard",
    redisUrl: source.REDIS_URL?.trim() || "redis://127.0.0.1:6379",
    sessionSecret: secret || randomBytes(48).toString("base64url"),
    secretGenerated: !secret,
    inherited,
  };
}
