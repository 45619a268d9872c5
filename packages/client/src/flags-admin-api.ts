import {
  FlagChangesResponse,
  FlagsAdminResponse,
  FlagsPreviewResponse,
  FlagsUpdateResponse,
  OperatorSessionResponse,
  flagsAdminPaths,
} from "@repo/protocol";
import { z } from "zod";
import type { ReadOptions } from "./client-types";
import { requestJson, type HttpContext } from "./http";

type FlagDocument = Record<string, unknown>;
const NoContent = z.undefined();

/**
 * The operator's flag administration (docs/protocol.md, "Administration"):
 * in a browser it rides the operator session cookie that `signIn(secret)`
 * sets; with a bearer token (ServiceApiOptions.token = OPERATOR_TOKEN) it
 * needs no sign-in. Edits name the etag they edit (sent as If-Match).
 */
export interface FlagsAdminApi {
  /** Who am I: `operator: false` when this browser holds no operator credential. */
  session(options?: ReadOptions): Promise<OperatorSessionResponse>;
  /** Exchanges the operator secret for the operator session cookie (the secret is not kept). */
  signIn(secret: string, options?: ReadOptions): Promise<OperatorSessionResponse>;
  signOut(options?: ReadOptions): Promise<void>;
  flags(options?: ReadOptions): Promise<FlagsAdminResponse>;
  preview(definitions: FlagDocument, options?: ReadOptions): Promise<FlagsPreviewResponse>;
  save(change: { definitions: FlagDocument; reason: string; etag: string }, options?: ReadOptions): Promise<FlagsUpdateResponse>;
  /** The audit log, newest first: `before` an entry id (the previous page's `nextBefore`), at most `limit` (1 to 50). */
  changes(query?: { before?: string; limit?: number }, options?: ReadOptions): Promise<FlagChangesResponse>;
  undo(change: { reason: string; etag: string }, options?: ReadOptions): Promise<FlagsUpdateResponse>;
}

const ifMatch = (etag: string) => ({ "if-match": `"${etag}"` });

export function createFlagsAdminApi(context: HttpContext): FlagsAdminApi {
  return {
    session: (init) => requestJson(context, flagsAdminPaths.session, OperatorSessionResponse, init),
    signIn: (secret, init) => requestJson(context, flagsAdminPaths.session, OperatorSessionResponse, { ...init, method: "POST", json: { secret } }),
    async signOut(init) {
      await requestJson(context, flagsAdminPaths.session, NoContent, { ...init, method: "DELETE" });
    },
    flags: (init) => requestJson(context, flagsAdminPaths.flags, FlagsAdminResponse, init),
    preview: (definitions, init) => requestJson(context, flagsAdminPaths.preview, FlagsPreviewResponse, { ...init, method: "POST", json: { definitions } }),
    save: ({ definitions, reason, etag }, init) =>
      requestJson(context, flagsAdminPaths.flags, FlagsUpdateResponse, { ...init, method: "PUT", headers: ifMatch(etag), json: { definitions, reason } }),
    changes(query = {}, init) {
      const params = new URLSearchParams();
      if (query.before !== undefined) params.set("before", query.before);
      if (query.limit !== undefined) params.set("limit", String(query.limit));
      const search = params.size > 0 ? `?${params.toString()}` : "";
      return requestJson(context, `${flagsAdminPaths.changes}${search}`, FlagChangesResponse, init);
    },
    undo: ({ reason, etag }, init) => requestJson(context, flagsAdminPaths.undo, FlagsUpdateResponse, { ...init, method: "POST", headers: ifMatch(etag), json: { reason } }),
  };
}
