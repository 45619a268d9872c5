import { z } from "zod";

/** Typed error codes: the same on every transport (HTTP body or socket.io ack). */
export const ERROR_CODES = [
  "validation",
  "unauthorized",
  "forbidden",
  "not_found",
  "rate_limited",
  "payload_too_large",
  "conflict",
  "internal",
  /** The instance is draining (shutting down): retry shortly, another instance may answer. */
  "unavailable",
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The HTTP status each error code maps to. */
export const HTTP_STATUS_BY_ERROR: Record<ErrorCode, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  rate_limited: 429,
  payload_too_large: 413,
  conflict: 409,
  internal: 500,
  unavailable: 503,
};

export const ErrorIssue = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});
export type ErrorIssue = z.infer<typeof ErrorIssue>;

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Field-level problems, for `validation`. */
  issues: z.array(ErrorIssue).optional(),
  /** Seconds until a retry may succeed, for `rate_limited`. */
  retryAfter: z.number().nonnegative().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Body of every failed HTTP response. */
export const ErrorResponse = z.object({ error: ErrorBody });
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/**
 * Why the server ended a stream or socket. Sent as the final SSE `close` event
 * or the socket.io `closing` event before the connection is dropped, so a
 * client can tell a deliberate cut from a network failure.
 */
export const CLOSE_REASONS = [
  /** The client could not keep up; its buffer passed the limit. Resume from the cursor. */
  "slow_consumer",
  /** The instance is shutting down; reconnect (another instance may answer). */
  "server_shutdown",
  /** The session expired or was revoked; sign in again. */
  "unauthorized",
  /** The client broke the protocol (bad frame, too many subscriptions). */
  "protocol_error",
] as const;
export const CloseReason = z.enum(CLOSE_REASONS);
export type CloseReason = z.infer<typeof CloseReason>;

export class ProtocolError extends Error {
  readonly code: ErrorCode;
  readonly issues?: ErrorIssue[];
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, extra: { issues?: ErrorIssue[]; retryAfter?: number } = {}) {
    super(message);
    this.name = "ProtocolError";
    this.code = code;
    this.issues = extra.issues;
    this.retryAfter = extra.retryAfter;
  }

  toBody(): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.issues ? { issues: this.issues } : {}),
      ...(this.retryAfter !== undefined ? { retryAfter: this.retryAfter } : {}),
    };
  }

  static fromBody(body: ErrorBody): ProtocolError {
    return new ProtocolError(body.code, body.message, { issues: body.issues, retryAfter: body.retryAfter });
  }
}

/** Turns zod issues into the protocol's issue list. */
export function issuesFromZod(error: z.ZodError): ErrorIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
    message: issue.message,
  }));
}

/** Parses `input` with `schema`, or throws a `validation` ProtocolError. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, what = "input"): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ProtocolError("validation", `Invalid ${what}`, { issues: issuesFromZod(result.error) });
  }
  return result.data;
}
