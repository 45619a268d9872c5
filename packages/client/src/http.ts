import {
  API_PREFIX,
  CommandResult,
  ERROR_CODES,
  ErrorResponse,
  HTTP_PATHS,
  ProtocolError,
  TRANSPORT_HEADER,
  TicketResponse,
  VERSION_HEADER,
  VERSION_QUERY,
  encodeCursor,
  httpStatusOf,
  type Command,
  type CursorMap,
  type ErrorCode,
} from "@repo/protocol";
import type { z } from "zod";
import { ConnectionError, toConnectionError } from "./errors";
import type { Counter } from "./metrics";
import { utf8Length } from "./utf8";
import { headerBytes, type WireTap } from "./wire";

export type FetchLike = typeof globalThis.fetch;

/** What the HTTP helpers need: where the service is, how to reach it, and who is asking. */
export interface HttpContext {
  /** Service base URL, no trailing slash. */
  readonly baseUrl: string;
  readonly fetch: FetchLike;
  /** Bearer token; without one, requests carry cookies (`credentials: "include"`). */
  readonly token: string | undefined;
  readonly requestTimeoutMs: number;
  /** The protocol version claimed on every request (see the protocol's version.ts). */
  readonly version: number;
  count(counter: Counter, amount?: number): void;
  /** The wire debug tap, when someone listens (read it per request: listeners come and go). */
  wire?(): WireTap | null;
}

export interface HttpAnswer {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
}

export interface HttpRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** The path names the version as the `v` query parameter (subscription URLs): no version header. */
  versionInUrl?: boolean;
}

/** For answers without a typed body (a proxy's): the first code of each status (400 is `validation`). */
const STATUS_TO_CODE = new Map<number, ErrorCode>();
for (const code of ERROR_CODES) if (!STATUS_TO_CODE.has(httpStatusOf(code))) STATUS_TO_CODE.set(httpStatusOf(code), code);

/** The global fetch, looked up at call time (a polyfill or stub installed later is used) and called on the global object, as browsers require. */
export const globalFetch: FetchLike = (input, init) => globalThis.fetch(input, init);

/**
 * One HTTP request with auth, the protocol version, a timeout covering
 * headers and body, and an optional caller signal (aborting it rejects with a
 * `closed` ConnectionError). Counts the body bytes received. Never throws
 * anything but ConnectionError.
 */
export async function httpRequest(context: HttpContext, path: string, init: HttpRequestInit = {}): Promise<HttpAnswer> {
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
  // Only the API is versioned (health and metrics are for operators). Subscription URLs carry `v`
  // instead: a header would make a browser preflight requests that are otherwise simple.
  if (!init.versionInUrl && path.startsWith(`${API_PREFIX}/`)) headers[VERSION_HEADER] = String(context.version);
  const tap = context.wire?.() ?? null;
  const startedAt = tap ? Date.now() : 0;
  const method = init.method ?? "GET";
  try {
    const request: RequestInit & { cache: "no-store" } = {
      method,
      headers,
      body: init.body,
      signal: controller.signal,
      credentials: context.token ? "same-origin" : "include",
      // Polls are conditional requests of our own: keep the browser cache out of them.
      cache: "no-store",
    };
    const response = await context.fetch(`${context.baseUrl}${path}`, request);
    const text = response.status === 204 || response.status === 304 ? "" : await response.text();
    const bodyBytes = utf8Length(text);
    context.count("bytesReceived", bodyBytes);
    if (tap) {
      let responseHeaderBytes = 0;
      response.headers.forEach((value, name) => (responseHeaderBytes += name.length + value.length + 4));
      tap({ ...wireRequest(method, path, headers, init.body, startedAt), status: response.status, responseHeaderBytes, responseBodyBytes: bodyBytes });
    }
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    const failure = timedOut
      ? new ConnectionError("timeout", `${method} ${path.split("?")[0]} timed out`)
      : init.signal?.aborted
        ? new ConnectionError("closed", "Request aborted")
        : toConnectionError(error);
    if (tap) tap({ ...wireRequest(method, path, headers, init.body, startedAt), status: 0, responseHeaderBytes: 0, responseBodyBytes: 0, error: failure.code });
    throw failure;
  } finally {
    clearTimeout(timer);
    init.signal?.removeEventListener("abort", onAbort);
  }
}

/** The request side of a wire event (only built when a tap listens). */
function wireRequest(method: string, path: string, headers: Record<string, string>, body: string | undefined, startedAt: number) {
  const at = Date.now();
  const bare = path.split("?")[0]!;
  return {
    kind: "http" as const,
    at,
    method,
    path: bare,
    // The request line (with the query) and the headers the SDK set.
    requestHeaderBytes: `${method} ${path} HTTP/1.1\r\n`.length + headerBytes(Object.entries(headers)),
    requestBodyBytes: body === undefined ? 0 : utf8Length(body),
    durationMs: at - startedAt,
  };
}

export function parseJson(text: string): unknown {
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

/**
 * The path of a subscription request (poll, long poll, SSE stream): its query
 * plus the protocol version as `v`, since an EventSource URL cannot carry headers.
 */
export function subscriptionPath(context: HttpContext, path: string, query: Record<string, string | number>): string {
  const params = Object.entries({ ...query, [VERSION_QUERY]: context.version })
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join("&");
  return `${path}?${params}`;
}

/** One short poll for `cursors`: the typed refusal, or null when it was served. No answer throws ConnectionError. */
export async function probeSubscription(context: HttpContext, cursors: CursorMap): Promise<ProtocolError | null> {
  const path = subscriptionPath(context, HTTP_PATHS.poll, { cursor: encodeCursor(cursors) });
  const answer = await httpRequest(context, path, { versionInUrl: true });
  return answer.status === 200 || answer.status === 304 ? null : errorFromAnswer(answer);
}

/** Gateway answers without a typed body: the service never saw the request, so a retry is safe. */
function isGatewayFailure(answer: HttpAnswer): boolean {
  return answer.status >= 502 && answer.status <= 504 && !ErrorResponse.safeParse(parseJson(answer.text)).success;
}

/** One attempt at `POST` of a command. Typed refusals come back as `{ ok: false }`; no answer throws ConnectionError. */
export async function sendCommandOverHttp(
  context: HttpContext,
  transport: string,
  command: Command,
  timeoutMs: number,
): Promise<CommandResult> {
  const answer = await httpRequest(context, HTTP_PATHS.commands, {
    method: "POST",
    headers: { "content-type": "application/json", [TRANSPORT_HEADER]: transport },
    body: JSON.stringify(command),
    timeoutMs,
  });
  if (isGatewayFailure(answer)) throw new ConnectionError("network", `Command got HTTP ${answer.status} from a gateway`);
  const result = CommandResult.safeParse(parseJson(answer.text));
  if (result.success) return result.data;
  return { ok: false, id: command.id, error: errorFromAnswer(answer).toBody() };
}

/** A single-use SSE ticket. */
export async function fetchTicket(context: HttpContext, signal?: AbortSignal): Promise<string> {
  const answer = await httpRequest(context, HTTP_PATHS.sseTicket, { method: "POST", signal });
  if (answer.status !== 201 && answer.status !== 200) throw errorFromAnswer(answer);
  const body = TicketResponse.safeParse(parseJson(answer.text));
  if (!body.success) throw new ProtocolError("internal", "Malformed ticket response");
  return body.data.ticket;
}

export interface JsonRequestInit extends Omit<HttpRequestInit, "body" | "versionInUrl"> {
  /** Sent as JSON. */
  json?: unknown;
  /** Statuses whose body is the value rather than an error (default: any 2xx). */
  accept?: readonly number[];
}

/**
 * A typed HTTP read (or write): the answer's body parsed with `schema`.
 * Throws a `ProtocolError` for a refusal (or a body that does not fit the
 * schema, as `internal`) and a `ConnectionError` when there is no answer.
 */
export async function requestJson<S extends z.ZodType>(
  context: HttpContext,
  path: string,
  schema: S,
  init: JsonRequestInit = {},
): Promise<z.output<S>> {
  const { json, accept, ...rest } = init;
  const answer = await httpRequest(context, path, {
    ...rest,
    ...(json === undefined ? {} : { body: JSON.stringify(json), headers: { "content-type": "application/json", ...rest.headers } }),
  });
  const accepted = accept ? accept.includes(answer.status) : answer.status >= 200 && answer.status < 300;
  if (!accepted) throw errorFromAnswer(answer);
  const parsed = schema.safeParse(answer.status === 204 ? undefined : parseJson(answer.text));
  if (!parsed.success) throw new ProtocolError("internal", `Unexpected answer from ${rest.method ?? "GET"} ${path.split("?")[0]}`);
  return parsed.data;
}
