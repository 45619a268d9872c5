// Thin, typed HTTP calls to the realtime service's session and health endpoints.
// Every response is validated with the shared protocol schemas; failures come back
// as values (never thrown) so the UI can show them next to the right field.
import {
  CurrentSessionResponse,
  ErrorResponse,
  HealthResponse,
  ReadyResponse,
  SessionResponse,
  type ErrorBody,
  type User,
} from "@repo/protocol";
import type { z } from "zod";
import { env } from "@/env";

const BASE = env.NEXT_PUBLIC_REALTIME_URL;

/** A failure the UI can show: a typed server error, or the service being unreachable. */
export type ApiFailure =
  | { kind: "error"; status: number; error: ErrorBody }
  | { kind: "network"; message: string };

export type ApiResult<T> = { ok: true; value: T } | ({ ok: false } & ApiFailure);

const UNREACHABLE = "Can't reach the realtime service. Check your connection and try again.";

async function request(path: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<Response | null> {
  const { timeoutMs = 8000, ...rest } = init;
  try {
    return await fetch(`${BASE}${path}`, {
      ...rest,
      cache: "no-store",
      signal: rest.signal ? AbortSignal.any([rest.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
    });
  } catch {
    return null;
  }
}

/** Turns a non-2xx response into a typed failure, tolerating bodies that are not protocol errors. */
async function failureOf(response: Response): Promise<{ ok: false } & ApiFailure> {
  const body: unknown = await response.json().catch(() => undefined);
  const parsed = ErrorResponse.safeParse(body);
  if (parsed.success) return { ok: false, kind: "error", status: response.status, error: parsed.data.error };
  return {
    ok: false,
    kind: "error",
    status: response.status,
    error: {
      code: response.status >= 500 ? "internal" : "validation",
      message: `The realtime service answered ${response.status} ${response.statusText}`.trim(),
    },
  };
}

async function parseBody<S extends z.ZodType>(response: Response, schema: S): Promise<ApiResult<z.output<S>>> {
  const body: unknown = await response.json().catch(() => undefined);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      kind: "error",
      status: response.status,
      error: { code: "internal", message: "Unexpected response from the realtime service" },
    };
  }
  return { ok: true, value: parsed.data };
}

/** `GET path`, with the session cookie; the body validated with `schema`. */
export async function getJson<S extends z.ZodType>(
  path: string,
  schema: S,
  signal?: AbortSignal,
): Promise<ApiResult<z.output<S>>> {
  const response = await request(path, { credentials: "include", signal });
  if (!response) return { ok: false, kind: "network", message: UNREACHABLE };
  if (!response.ok) return failureOf(response);
  return parseBody(response, schema);
}

/** The message to show for a failed call. */
export function failureMessage(failure: ApiFailure): string {
  return failure.kind === "network" ? failure.message : failure.error.message;
}

/** `POST /v1/session`: signs in with a display name; the service sets an HttpOnly cookie. */
export async function createSession(name: string): Promise<ApiResult<SessionResponse>> {
  const response = await request("/v1/session", {
    method: "POST",
    credentials: "include",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (!response) return { ok: false, kind: "network", message: UNREACHABLE };
  if (!response.ok) return failureOf(response);
  return parseBody(response, SessionResponse);
}

/** `GET /v1/session`: who the cookie belongs to; `null` when signed out (401). */
export async function getSession(): Promise<ApiResult<{ user: User; expiresAt: string } | null>> {
  const response = await request("/v1/session", { credentials: "include" });
  if (!response) return { ok: false, kind: "network", message: UNREACHABLE };
  if (response.status === 401) return { ok: true, value: null };
  if (!response.ok) return failureOf(response);
  return parseBody(response, CurrentSessionResponse);
}

/** `DELETE /v1/session`: signs out and clears the cookie. */
export async function deleteSession(): Promise<ApiResult<null>> {
  const response = await request("/v1/session", { method: "DELETE", credentials: "include" });
  if (!response) return { ok: false, kind: "network", message: UNREACHABLE };
  if (!response.ok) return failureOf(response);
  return { ok: true, value: null };
}

export type ServiceHealth = "checking" | "ok" | "degraded" | "down";

/**
 * `GET /healthz` + `GET /readyz`: "ok" when the process is up and ready, "degraded" when it
 * is up but not ready (database down or draining), "down" when it does not answer.
 */
export async function checkHealth(signal?: AbortSignal): Promise<Exclude<ServiceHealth, "checking">> {
  const timeout = AbortSignal.timeout(5000);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const [health, ready] = await Promise.all([
    request("/healthz", { signal: combined }),
    request("/readyz", { signal: combined }),
  ]);
  if (!health?.ok) return "down";
  const healthBody = HealthResponse.safeParse(await health.json().catch(() => undefined));
  if (!healthBody.success) return "down";
  if (!ready) return "degraded";
  const readyBody = ReadyResponse.safeParse(await ready.json().catch(() => undefined));
  return ready.ok && readyBody.success && readyBody.data.status === "ready" ? "ok" : "degraded";
}
