import { OPERATOR_SESSION_COOKIE, flagsAdminPaths } from "@repo/protocol";
import type { TestServer } from "../sdk/support/server";

export interface AdminAnswer {
  status: number;
  json: unknown;
  headers: Headers;
}

/** One real HTTP call to the service (JSON body when given). */
export async function call(server: TestServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<AdminAnswer> {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text === "" ? undefined : (JSON.parse(text) as unknown), headers: response.headers };
}

/** The operator cookie a sign-in set, as a Cookie header, and the raw Set-Cookie line. */
export async function operatorSignIn(server: TestServer, secret: string, headers: Record<string, string> = {}) {
  const answer = await call(server, "POST", flagsAdminPaths.session, { secret }, headers);
  const setCookie = answer.headers.get("set-cookie") ?? "";
  const value = new RegExp(`${OPERATOR_SESSION_COOKIE}=([^;]+)`).exec(setCookie)?.[1];
  return { ...answer, setCookie, cookie: value === undefined ? undefined : { cookie: `${OPERATOR_SESSION_COOKIE}=${value}` } };
}
