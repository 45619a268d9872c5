import { Prisma } from "./generated/prisma/client";

/**
 * Prisma's codes for "the database cannot be reached right now": cannot reach or
 * authenticate in time (P1001, P1002), an operation timed out (P1008), the server
 * closed the connection (P1017, e.g. PostgreSQL restarting), no pool connection
 * in time (P2024).
 */
const UNREACHABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);

/** Driver-adapter error kinds that mean the same (the pg adapter reports them in `meta`). */
const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

function adapterKind(meta: unknown): unknown {
  if (typeof meta !== "object" || meta === null || !("driverAdapterError" in meta)) return undefined;
  const adapterError: unknown = meta.driverAdapterError;
  if (typeof adapterError !== "object" || adapterError === null || !("cause" in adapterError)) return undefined;
  const cause: unknown = adapterError.cause;
  return typeof cause === "object" && cause !== null && "kind" in cause ? cause.kind : undefined;
}

/**
 * True when `error` says the database is unreachable for now (restarting, cut
 * off, overloaded) rather than that the query was wrong: callers answer with a
 * typed `unavailable` (retry) instead of `internal`.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    const kind = adapterKind(error.meta);
    return UNREACHABLE_CODES.has(error.code) || (typeof kind === "string" && UNREACHABLE_KINDS.has(kind));
  }
  return false;
}
