import { ERROR_POLICY, ErrorResponse, httpStatusOf, type ErrorBody } from "@repo/protocol";
import { expect } from "vitest";

/** Every HTTP wait is bounded by this (ms). */
export const HTTP_WAIT_MS = 5000;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
}

const KNOWN_STATUSES = new Set(Object.values(ERROR_POLICY).map((policy) => policy.status));

/** One bounded request; the whole body is read (a hang fails the case instead of the suite). */
export async function request(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(HTTP_WAIT_MS) });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : (JSON.parse(text) as unknown);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

function show(answer: HttpAnswer): string {
  return `${answer.status} ${answer.text.slice(0, 300)}`;
}

/**
 * Invariant 2 for HTTP: the answer is a typed error. The status is one of
 * httpStatusOf, the body matches ErrorResponse (a command failure's
 * `{ ok: false, id, error }` does too), the status is the one of the body's
 * code, and the code is not `internal`: a fuzzed input is the caller's fault,
 * never a server bug.
 */
export function expectTypedRejection(answer: HttpAnswer, what: string): ErrorBody {
  expect(KNOWN_STATUSES.has(answer.status), `${what}: status must be a protocol error status, got ${show(answer)}`).toBe(true);
  const parsed = ErrorResponse.safeParse(answer.json);
  expect(parsed.success, `${what}: body must match ErrorResponse, got ${show(answer)}`).toBe(true);
  const error = parsed.data!.error;
  expect(answer.status, `${what}: status must be httpStatusOf(${error.code}), got ${show(answer)}`).toBe(
    httpStatusOf(error.code),
  );
  expect(error.code, `${what}: a fuzzed input must never be an internal error: ${show(answer)}`).not.toBe("internal");
  return error;
}

/** True for a 2xx/304 answer; otherwise asserts it is a typed rejection and returns false. */
export function isSuccessOrTypedRejection(answer: HttpAnswer, what: string): boolean {
  if ((answer.status >= 200 && answer.status < 300) || answer.status === 304) return true;
  expectTypedRejection(answer, what);
  return false;
}
