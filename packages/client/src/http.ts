import {
  CommandResult,
  ERROR_CODES,
  ErrorResponse,
  httpStatusOf,
  ProtocolError,
  TicketResponse,
  type Command,
  type ErrorCode,
} from "@repo/protocol";
import { ConnectionError, toConnectionError } from "./errors";
import type { Counter } from "./metrics";
import { utf8Length } from "./utf8";

export type FetchLike = typeof globalThis.fetch;

/** What the HTTP helpers need from the client. */
export interface HttpContext {
  /** Service base URL, no trailing slash. */
  readonly baseUrl: string;
  readonly fetch: FetchLike;
  /** Bearer token; without one, requests carry cookies (`credentials: "include"`). */
  readonly token: string | undefined;
  readonly requestTimeoutMs: number;
  count(counter: Counter, amount?: number): void;
}

export interface HttpAnswer {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
}

/** For answers without a typed body (a proxy's): the first code of each status (400 is `validation`). */
const STATUS_TO_CODE = new Map<number, ErrorCode>();
for (const code of ERROR_CODES) if (!STATUS_TO_CODE.has(httpStatusOf(code))) STATUS_TO_CODE.set(httpStatusOf(code), code);

/**
 * One HTTP request with auth, a timeout covering headers and body, and an
 * optional caller signal (aborting it rejects with a `closed` ConnectionError).
 * Counts the body bytes received. Never throws anything but ConnectionError.
 */
export async function httpRequest(
  context: HttpContext,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, init.timeoutMs ?? context.requestTimeoutMs);
  const onAbort = () => controller.abort();
  if (init.signal?.aborted) controller.abort();
  init.signal?.addEventListener("abort", onAbort, { once: true });
  const headers: Record<string, string> = { accept: "application/json", ...init.headers };
  if (context.token) headers.authorization = `Bearer ${context.token}`;
  try {
    const request: RequestInit & { cache: "no-store" } = {
      method: init.method ?? "GET",
      headers,
      body: init.body,
      signal: controller.signal,
      credentials: context.token ? "same-origin" : "include",
      // Polls are conditional requests of our own: keep the browser cache out of them.
      cache: "no-store",
    };
    const response = await context.fetch(`${context.baseUrl}${path}`, request);
    const text = response.status === 204 || response.status === 304 ? "" : await response.text();
    context.count("bytesReceived", utf8Length(text));
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    if (timedOut) throw new ConnectionError("timeout", `${init.method ?? "GET"} ${path.split("?")[0]} timed out`);
    if (init.signal?.aborted) throw new ConnectionError("closed", "Request aborted");
    throw toConnectionError(error);
  } finally {
    clearTimeout(timer);
    init.signal?.removeEventListener("abort", onAbort);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The typed error in a failed answer (`{ error }` or a failed CommandResult), else one made from the status. */
export function errorFromAnswer(answer: Pick<HttpAnswer, "status" | "text">): ProtocolError {
  const body = parseJson(answer.text);
  const plain = ErrorResponse.safeParse(body);
  if (plain.success) return ProtocolError.fromBody(plain.data.error);
  const result = CommandResult.safeParse(body);
  if (result.success && !result.data.ok) return ProtocolError.fromBody(result.data.error);
  const code = STATUS_TO_CODE.get(answer.status) ?? (answer.status >= 500 ? "internal" : "validation");
  return new ProtocolError(code, `HTTP ${answer.status}`);
}

/** Refusals that concern the topics asked for, not the connection: drop those topics and carry on. */
export function isTopicRefusal(error: unknown): error is ProtocolError {
  return error instanceof ProtocolError && (error.code === "forbidden" || error.code === "validation" || error.code === "not_found");
}

/** Gateway answers without a typed body: the service never saw the request, so a retry is safe. */
function isGatewayFailure(answer: HttpAnswer): boolean {
  return answer.status >= 502 && answer.status <= 504 && !ErrorResponse.safeParse(parseJson(answer.text)).success;
}

/** One attempt at `POST /v1/commands`. Typed refusals come back as `{ ok: false }`; no answer throws ConnectionError. */
export async function sendCommandOverHttp(
  context: HttpContext,
  transport: string,
  command: Command,
  timeoutMs: number,
): Promise<CommandResult> {
  const answer = await httpRequest(context, "/v1/commands", {
    method: "POST",
    headers: { "content-type": "application/json", "x-switchboard-transport": transport },
    body: JSON.stringify(command),
    timeoutMs,
  });
  if (isGatewayFailure(answer)) throw new ConnectionError("network", `Command got HTTP ${answer.status} from a gateway`);
  // A draining instance (`unavailable`) did not run the command: retry it (same id) like a lost answer.
  if (answer.status === 503) throw new ConnectionError("network", "The server is shutting down; retrying");
  const result = CommandResult.safeParse(parseJson(answer.text));
  if (result.success) return result.data;
  return { ok: false, id: command.id, error: errorFromAnswer(answer).toBody() };
}

/** A single-use SSE ticket (`POST /v1/sse/ticket`). */
export async function fetchTicket(context: HttpContext, signal?: AbortSignal): Promise<string> {
  const answer = await httpRequest(context, "/v1/sse/ticket", { method: "POST", signal });
  if (answer.status !== 201 && answer.status !== 200) throw errorFromAnswer(answer);
  const body = TicketResponse.safeParse(parseJson(answer.text));
  if (!body.success) throw new ProtocolError("internal", "Malformed ticket response");
  return body.data.ticket;
}
