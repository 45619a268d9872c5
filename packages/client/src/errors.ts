/** Why a request or connection produced no answer at all (as opposed to a typed server error). */
export type ConnectionErrorCode = "network" | "timeout" | "closed";

/**
 * The client could not get an answer: the network failed, the request timed
 * out, or the client was closed. Server-side refusals are `ProtocolError`s
 * (from `@repo/protocol`) with a typed `code` instead.
 */
export class ConnectionError extends Error {
  readonly code: ConnectionErrorCode;

  constructor(code: ConnectionErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ConnectionError";
    this.code = code;
  }
}

/** Wraps whatever a fetch or socket threw into a ConnectionError (kept as is when it already is one). */
export function toConnectionError(error: unknown, fallback = "Network request failed"): ConnectionError {
  if (error instanceof ConnectionError) return error;
  const message = error instanceof Error && error.message ? `${fallback}: ${error.message}` : fallback;
  return new ConnectionError("network", message, { cause: error });
}
