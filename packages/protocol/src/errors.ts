import { z } from "zod";
import { TransportName } from "./transports";

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
  /** The instance is draining (shutting down), or a store it needs (database, Redis) is unreachable: retry shortly. */
  "unavailable",
  /** The client speaks a protocol version this server cannot serve (see version.ts). */
  "unsupported_version",
  /** This transport is switched off (its kill switch flag): move to the `transport` the error names. */
  "transport_disabled",
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** How every party treats one error code. */
export interface ErrorPolicy {
  /** The HTTP status of an answer with this code. */
  status: number;
  /**
   * Asking again cannot help until something changes (sign in, another
   * input, a newer client): a subscription stops reconnecting, a command fails.
   * Otherwise a subscription reconnects with backoff (after `retryAfter` when given).
   */
  fatal: boolean;
  /**
   * On a subscription whose issue path names a topic (`["cursor", topic]`):
   * only that topic is refused, the others go on.
   */
  endsTopic: boolean;
  /** The server did not run the command: the client resends it, same id, with backoff. */
  resend: boolean;
  /** What to tell a person, when the error carries nothing more specific. */
  text: string;
}

/** The one table of error behaviour; the service, the SDK and the web app all read it. */
export const ERROR_POLICY: Record<ErrorCode, ErrorPolicy> = {
  validation: { status: 400, fatal: true, endsTopic: true, resend: false, text: "That input is not valid." },
  unauthorized: { status: 401, fatal: true, endsTopic: false, resend: false, text: "You are signed out. Sign in again." },
  forbidden: { status: 403, fatal: true, endsTopic: true, resend: false, text: "You are not allowed to do that." },
  not_found: { status: 404, fatal: true, endsTopic: true, resend: false, text: "That does not exist (any more)." },
  rate_limited: { status: 429, fatal: false, endsTopic: false, resend: false, text: "Too many requests: wait a moment and try again." },
  payload_too_large: { status: 413, fatal: true, endsTopic: false, resend: false, text: "That is too large to send." },
  conflict: { status: 409, fatal: false, endsTopic: false, resend: false, text: "That clashes with the current state." },
  internal: { status: 500, fatal: false, endsTopic: false, resend: false, text: "Something went wrong on the server." },
  unavailable: { status: 503, fatal: false, endsTopic: false, resend: true, text: "The server is restarting; trying again." },
  unsupported_version: {
    status: 400,
    fatal: true,
    endsTopic: false,
    resend: false,
    text: "This app is out of date for the server: reload the page.",
  },
  // Not fatal: the client moves to the transport the error names instead of retrying this one. Only
  // subscriptions are refused with it (a command is never), so there is nothing to resend.
  transport_disabled: { status: 503, fatal: false, endsTopic: false, resend: false, text: "This connection type is switched off; moving to another." },
};

/** The HTTP status each error code maps to (from ERROR_POLICY). */
export function httpStatusOf(code: ErrorCode): number {
  return ERROR_POLICY[code].status;
}

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
  /** Where to go instead, for `transport_disabled`. */
  transport: TransportName.optional(),
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
  /** This transport was switched off (its kill switch flag): reconnect on the notice's `transport`. */
  "transport_disabled",
  /** The instance lost its shared event store (Redis) for a moment; reconnect and resume from the cursor. */
  "unavailable",
] as const;
export const CloseReason = z.enum(CLOSE_REASONS);
export type CloseReason = z.infer<typeof CloseReason>;

export class ProtocolError extends Error {
  readonly code: ErrorCode;
  readonly issues?: ErrorIssue[];
  readonly retryAfter?: number;
  readonly transport?: TransportName;

  constructor(code: ErrorCode, message: string, extra: { issues?: ErrorIssue[]; retryAfter?: number; transport?: TransportName } = {}) {
    super(message);
    this.name = "ProtocolError";
    this.code = code;
    this.issues = extra.issues;
    this.retryAfter = extra.retryAfter;
    this.transport = extra.transport;
  }

  toBody(): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.issues ? { issues: this.issues } : {}),
      ...(this.retryAfter !== undefined ? { retryAfter: this.retryAfter } : {}),
      ...(this.transport !== undefined ? { transport: this.transport } : {}),
    };
  }

  static fromBody(body: ErrorBody): ProtocolError {
    return new ProtocolError(body.code, body.message, { issues: body.issues, retryAfter: body.retryAfter, transport: body.transport });
  }
}

/**
 * Words for a person about any failure: the server's message for a
 * validation issue or a refusal that explains itself, the table's text
 * otherwise, and "retry in N s" for a rate limit.
 */
export function errorText(error: { code: ErrorCode; message: string; issues?: ErrorIssue[]; retryAfter?: number }): string {
  if (error.code === "rate_limited" && error.retryAfter !== undefined) {
    return `Slow down: try again in ${Math.max(1, Math.ceil(error.retryAfter))} s.`;
  }
  const issue = error.issues?.[0]?.message;
  if (issue) return issue;
  return ERROR_POLICY[error.code].text;
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
