import { ErrorResponse, FLAG_KEYS, FlagsAdminResponse, FlagsUpdateResponse, flagsAdminPaths, type TransportName } from "@repo/protocol";
import { monotonicMs } from "../message";

const ADMIN_TIMEOUT_MS = 30_000;

/** What one flag edit took: when the PUT was sent and answered (shared monotonic clock), and what changed. */
export interface FlagEdit {
  sentAt: number;
  answeredAt: number;
  flagsChanged: string[];
}

/**
 * The operator's side of `/v1/admin/flags` (Authorization: Bearer <OPERATOR_TOKEN>):
 * reads the definitions in force, sets `transport.chat`'s default variant, and
 * PUTs them back with `If-Match` on the etag read.
 */
export class FlagAdmin {
  constructor(
    private readonly url: string,
    private readonly operatorToken: string,
  ) {}

  private async request(method: "GET" | "PUT", headers: Record<string, string> = {}, body?: unknown) {
    const response = await fetch(`${this.url}${flagsAdminPaths.flags}`, {
      method,
      headers: { authorization: `Bearer ${this.operatorToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      // A service too busy to answer fails the row in bounded time, not after undici's 300 s.
      signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS),
    });
    const json: unknown = await response.json();
    if (!response.ok) {
      const refusal = ErrorResponse.safeParse(json);
      throw new Error(`${method} ${flagsAdminPaths.flags}: ${response.status} ${refusal.success ? `${refusal.data.error.code}: ${refusal.data.error.message}` : JSON.stringify(json)}`);
    }
    return json;
  }

  /** Everyone on `transport` for chat: `transport.chat`'s default variant, no targeting. Timed from the moment the PUT is sent. */
  async setChatTransport(transport: TransportName, reason: string): Promise<FlagEdit> {
    const current = FlagsAdminResponse.parse(await this.request("GET"));
    const flags = flagsOf(current.definitions);
    const chat = flags[FLAG_KEYS.chatTransport];
    if (chat === undefined) throw new Error(`the definitions in force have no ${FLAG_KEYS.chatTransport}`);
    // No targeting left: a rollout would keep some users where they are.
    const untargeted = Object.fromEntries(Object.entries(chat).filter(([key]) => key !== "targeting"));
    const definitions = { ...current.definitions, flags: { ...flags, [FLAG_KEYS.chatTransport]: { ...untargeted, defaultVariant: transport } } };
    const sentAt = monotonicMs();
    const answer = FlagsUpdateResponse.parse(await this.request("PUT", { "if-match": `"${current.etag}"` }, { definitions, reason }));
    return { sentAt, answeredAt: monotonicMs(), flagsChanged: answer.flagsChanged };
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The `flags` object of a flagd document, each flag a plain object. */
function flagsOf(definitions: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const flags = definitions.flags;
  if (!isRecord(flags)) throw new Error("the definitions in force have no flags object");
  const result: Record<string, Record<string, unknown>> = {};
  for (const [key, flag] of Object.entries(flags)) if (isRecord(flag)) result[key] = flag;
  return result;
}
