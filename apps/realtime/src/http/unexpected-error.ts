import { isDatabaseUnreachable } from "@repo/db";
import { ProtocolError } from "@repo/protocol";

/**
 * What a caller answers for anything thrown: a ProtocolError as it is; the
 * database unreachable for now (restarting, cut off) as `unavailable`, which
 * clients retry; anything else as `internal` with `message` (and is logged).
 */
export function asProtocolError(error: unknown, message: string): ProtocolError {
  if (error instanceof ProtocolError) return error;
  if (isDatabaseUnreachable(error)) return new ProtocolError("unavailable", "The database is unreachable right now; try again");
  return new ProtocolError("internal", message);
}
