import { listFlagChanges, readStoredFlags, saveFlagDefinitions, type Database } from "@repo/db";
import {
  FlagChangesQuery,
  FlagsPreviewRequest,
  FlagsUndoRequest,
  FlagsUpdateRequest,
  ProtocolError,
  flagsAdminPaths,
  parseOrThrow,
  type FlagChangesResponse,
  type FlagsAdminResponse,
  type FlagsPreviewResponse,
  type FlagsUpdateResponse,
} from "@repo/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Auth } from "../../auth/auth";
import { FlagDefinitionError, validateFlagDefinitions } from "../../flags/flag-definitions";
import { changedFlagKeys, etagOf } from "../../flags/flag-store";
import type { ServiceFlags } from "../../flags/service-flags";
import { noStore } from "../../http/no-store";
import { requireOperator, type OperatorProof, type OperatorSessionVerifier } from "../../http/operator-auth";
import type { ConnectedUser } from "../../subscriptions/connection-registry";
import { previewFlagChange } from "./flag-preview";

const WHAT = { off: "Flag administration is off", needs: "Flag administration needs" };

/** Who a change is recorded as: the secret names no person, so only how it was presented. */
export function actorOf(proof: OperatorProof): string {
  return proof.via === "session" ? "operator (session)" : "operator (token)";
}

export interface FlagsAdminRouteDeps {
  flags: ServiceFlags;
  db: Database;
  operatorToken: string | undefined;
  /** The operator session cookie's verifier (undefined without OPERATOR_TOKEN). */
  sessions: OperatorSessionVerifier | undefined;
  auth: Auth;
  /** The distinct users connected right now to any instance (the preview's audience). */
  connectedUsers(): Promise<ConnectedUser[]>;
  /** After a change is saved and in force here: tells the other instances (the cluster bus). */
  onSaved?(etag: string): void;
}

/**
 *   GET  /v1/admin/flags          the definitions in force, their etag and where they came from
 *   PUT  /v1/admin/flags          new definitions (If-Match: the etag edited), validated, saved with an audit entry
 *   GET  /v1/admin/flags/changes  the audit log: who, when, why, before, after
 *   POST /v1/admin/flags/undo     puts back what the last change replaced (If-Match), itself audited
 *   POST /v1/admin/flags/preview  who among the users connected now a change would move (nothing saved)
 * The operator's bearer secret (OPERATOR_TOKEN) or an operator session; a guest session never (403).
 * Saved definitions go to the database, which every instance follows.
 */
export function registerFlagsAdminRoutes(app: FastifyInstance, deps: FlagsAdminRouteDeps) {
  const { flags, db } = deps;
  const credentials = { token: deps.operatorToken, sessions: deps.sessions, auth: deps.auth, what: WHAT };
  const operator = (request: FastifyRequest, reply: FastifyReply) => requireOperator(request, reply, credentials);

  app.get(flagsAdminPaths.flags, async (request, reply) => {
    await operator(request, reply);
    const stored = await readStoredFlags(db.prisma);
    const fromDatabase = stored !== null && stored.etag === flags.store.etag;
    noStore(reply);
    const body: FlagsAdminResponse = {
      definitions: parseDocument(flags.store.definitions),
      etag: flags.store.etag,
      source: fromDatabase ? "database" : "file",
      updatedAt: fromDatabase ? stored.updatedAt.toISOString() : null,
      updatedBy: fromDatabase ? stored.updatedBy : null,
    };
    return reply.header("etag", `"${flags.store.etag}"`).send(body);
  });

  app.put(flagsAdminPaths.flags, async (request, reply) => {
    const proof = await operator(request, reply);
    const expectedEtag = ifMatch(request);
    const input = parseOrThrow(FlagsUpdateRequest, request.body, "flag definitions");
    const body = await replaceDefinitions(documentText(input.definitions), input.reason, expectedEtag, actorOf(proof));
    return reply.header("etag", `"${body.etag}"`).send(body);
  });

  app.post(flagsAdminPaths.preview, async (request, reply) => {
    await operator(request, reply);
    const input = parseOrThrow(FlagsPreviewRequest, request.body, "flag definitions");
    const next = documentText(input.definitions);
    validated(next);
    noStore(reply);
    const body: FlagsPreviewResponse = await previewFlagChange(flags.store.definitions, next, await deps.connectedUsers());
    return body;
  });

  app.post(flagsAdminPaths.undo, async (request, reply) => {
    const proof = await operator(request, reply);
    const expectedEtag = ifMatch(request);
    const input = parseOrThrow(FlagsUndoRequest, request.body, "undo");
    const [last] = await listFlagChanges(db.prisma, { limit: 1 });
    if (!last) throw new ProtocolError("conflict", "Nothing to undo: no change was saved yet");
    if (etagOf(last.after) !== flags.store.etag) throw new ProtocolError("conflict", "The definitions in force are not the last change's: reload");
    const body = await replaceDefinitions(last.before, `Undo: ${input.reason}`, expectedEtag, actorOf(proof));
    return reply.header("etag", `"${body.etag}"`).send(body);
  });

  app.get(flagsAdminPaths.changes, async (request, reply) => {
    await operator(request, reply);
    const query = parseOrThrow(FlagChangesQuery, request.query, "changes query");
    const entries = await listFlagChanges(db.prisma, { before: query.before, limit: query.limit + 1 });
    const page = entries.slice(0, query.limit);
    noStore(reply);
    const body: FlagChangesResponse = {
      changes: page.map((entry) => ({ ...entry, at: entry.at.toISOString(), before: parseDocument(entry.before), after: parseDocument(entry.after) })),
      nextBefore: entries.length > query.limit ? (page.at(-1)?.id ?? null) : null,
    };
    return body;
  });

  /** Validates, checks the etag, saves with its audit entry, applies here, then tells the others (they also follow the row). */
  async function replaceDefinitions(definitions: string, reason: string, expectedEtag: string, actor: string): Promise<FlagsUpdateResponse> {
    validated(definitions);
    if (expectedEtag !== flags.store.etag) throw new ProtocolError("conflict", "The definitions changed since you read them: reload and edit again");
    const before = flags.store.definitions;
    const flagsChanged = changedFlagKeys(before, definitions);
    const etag = etagOf(definitions);
    const saved = await saveFlagDefinitions(db.prisma, { definitions, etag, expectedEtag, actor, reason, before, flagsChanged });
    if (saved === "conflict") throw new ProtocolError("conflict", "Another change was saved meanwhile: reload and edit again");
    flags.store.load(definitions, "the database (flag_definitions)");
    deps.onSaved?.(flags.store.etag);
    return { etag: flags.store.etag, flagsChanged };
  }
}

/** The saved text of a document (what PUT stores and the preview compares). */
function documentText(definitions: Record<string, unknown>): string {
  return `${JSON.stringify(definitions, null, 2)}\n`;
}

/** flagd's schema and the service's rules, or the typed `validation` error naming the rule that failed. */
function validated(definitions: string): void {
  try {
    validateFlagDefinitions(definitions, "the new definitions");
  } catch (error) {
    if (!(error instanceof FlagDefinitionError)) throw error;
    throw new ProtocolError("validation", error.rule, { issues: [{ path: ["definitions"], message: error.rule }] });
  }
}

/** `If-Match: "<etag>"` (required: an edit says which version it edits). */
function ifMatch(request: FastifyRequest): string {
  const header = request.headers["if-match"];
  const value = typeof header === "string" ? header.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1") : "";
  if (value === "") throw new ProtocolError("validation", "Send If-Match with the etag of the definitions you edited", { issues: [{ path: ["if-match"], message: "Required" }] });
  return value;
}

function parseDocument(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  return typeof value === "object" && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};
}
