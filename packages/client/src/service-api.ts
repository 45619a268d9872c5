import {
  CurrentSessionResponse,
  HTTP_PATHS,
  HealthResponse,
  PROTOCOL_VERSION,
  ProtocolError,
  ReadyResponse,
  SessionResponse,
} from "@repo/protocol";
import { z } from "zod";
import type { ReadOptions } from "./client-types";
import { createFlagsAdminApi, type FlagsAdminApi } from "./flags-admin-api";
import { globalFetch, requestJson, type FetchLike, type HttpContext } from "./http";

export interface ServiceApiOptions {
  /** Base URL of the realtime service, e.g. `http://localhost:4000`. */
  baseUrl: string;
  /** fetch implementation (default: the global one). */
  fetch?: FetchLike;
  /** Bearer session token (Node, native apps). Without it, requests carry cookies (`credentials: "include"`). */
  token?: string;
  /** Timeout of one request. Default 15000. */
  timeoutMs?: number;
}

/**
 * The service's HTTP API outside any subscription: sign-in, the current
 * session, sign-out, health and readiness, and any typed read. Usable before a
 * session exists. Every call resolves with the parsed value, or rejects with
 * a `ProtocolError` (typed server refusal) or a `ConnectionError` (no answer),
 * the same error model as the realtime client.
 */
export interface ServiceApi {
  /** `GET path`, the body parsed with `schema`. */
  get<S extends z.ZodType>(path: string, schema: S, options?: ReadOptions): Promise<z.output<S>>;
  /** Signs in as a guest with a display name; in a browser the service also sets the session cookie. */
  signIn(name: string, options?: ReadOptions): Promise<SessionResponse>;
  /** Who the cookie or token belongs to; null when signed out. */
  currentSession(options?: ReadOptions): Promise<CurrentSessionResponse | null>;
  /** Ends the session and clears the cookie. */
  signOut(options?: ReadOptions): Promise<void>;
  /** The process is up (`/healthz`). */
  health(options?: ReadOptions): Promise<HealthResponse>;
  /** Whether it can serve (`/readyz`: database reachable, not draining); a not-ready answer is a value, not an error. */
  ready(options?: ReadOptions): Promise<ReadyResponse>;
  /** The operator's flag administration (operator session or bearer OPERATOR_TOKEN). */
  readonly flagsAdmin: FlagsAdminApi;
}

const NoContent = z.undefined();
/** `/readyz` answers 503 with its body when not ready. */
const READY_STATUSES = [200, 503] as const;

export function createServiceApi(options: ServiceApiOptions): ServiceApi {
  const context: HttpContext = {
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    fetch: options.fetch ?? globalFetch,
    token: options.token,
    requestTimeoutMs: options.timeoutMs ?? 15_000,
    version: PROTOCOL_VERSION,
    count: () => {},
  };
  return {
    get: (path, schema, init) => requestJson(context, path, schema, init),
    signIn: (name, init) => requestJson(context, HTTP_PATHS.session, SessionResponse, { ...init, method: "POST", json: { name } }),
    async currentSession(init) {
      try {
        return await requestJson(context, HTTP_PATHS.session, CurrentSessionResponse, init);
      } catch (error) {
        if (error instanceof ProtocolError && error.code === "unauthorized") return null;
        throw error;
      }
    },
    async signOut(init) {
      await requestJson(context, HTTP_PATHS.session, NoContent, { ...init, method: "DELETE" });
    },
    health: (init) => requestJson(context, HTTP_PATHS.health, HealthResponse, init),
    ready: (init) => requestJson(context, HTTP_PATHS.ready, ReadyResponse, { ...init, accept: READY_STATUSES }),
    flagsAdmin: createFlagsAdminApi(context),
  };
}
