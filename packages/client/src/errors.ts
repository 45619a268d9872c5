import { ERROR_POLICY, ProtocolError, errorText } from "@repo/protocol";

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

/** Words for a person when a request got no answer, by why. */
const CONNECTION_TEXT: Record<ConnectionErrorCode, string> = {
  network: "Can't reach the realtime service. Check your connection and try again.",
  timeout: "The realtime service did not answer in time. Try again.",
  closed: "The connection is closed.",
};

/**
 * Words for a person about anything the SDK rejects with: a typed refusal's
 * (the protocol's `errorText`, from ERROR_POLICY), a missing answer's, or a
 * generic line for anything else.
 */
export function failureText(error: unknown): string {
  if (error instanceof ProtocolError) return errorText(error);
  if (error instanceof ConnectionError) return CONNECTION_TEXT[error.code];
  return ERROR_POLICY.internal.text;
}
