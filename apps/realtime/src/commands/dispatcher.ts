import {
  Command,
  CommandEnvelope,
  MAX_COMMAND_BYTES,
  ProtocolError,
  issuesFromZod,
  type CommandResult,
  type TransportName,
  type User,
} from "@repo/protocol";
import type { FastifyBaseLogger } from "fastify";
import type { CommandRegistration } from "../features/compose-features";
import { asProtocolError } from "../http/unexpected-error";
import { memoryRateLimiters, type RateLimiter, type RateLimiterFactory } from "../limits/rate-limiter";
import type { Metrics } from "../observability/metrics";
import type { InFlightClaims } from "./in-flight-claims";
import type { ReceiptStore } from "./types";

export interface CommandLimits {
  /** Commands per user per window. */
  points: number;
  windowSeconds: number;
}

async function charge(limiter: RateLimiter, key: string) {
  const retryAfter = await limiter.take(key);
  if (retryAfter !== null) throw new ProtocolError("rate_limited", "Too many commands; slow down", { retryAfter });
}

/**
 * The one path every client→server action takes, whatever the transport:
 * request rate → size → envelope → schema → idempotency (in flight, then
 * stored receipt) → type's rate limit → handler → receipt. Never throws:
 * failures come back typed. The request rate is charged first, before any
 * database work, so replaying a known command id costs a point too (F13); the
 * type's budget only once its work really runs, so a retry answered from its
 * receipt never eats into it. A type's policy can turn receipts off
 * (ephemeral commands) or give it its own rate limit instead of the shared one.
 */
export function createCommandDispatcher(deps: {
  /** Every command type some feature runs, with its policy. */
  commands: ReadonlyMap<string, CommandRegistration>;
  receipts: ReceiptStore;
  limits: CommandLimits;
  /** Every command request per user, retries included (default: 4 × `limits`). */
  requestLimits?: CommandLimits;
  metrics: Metrics;
  log: FastifyBaseLogger;
  limiters?: RateLimiterFactory;
  /** Several instances: the same command id running on another one at once (in-flight-claims.ts). */
  claims?: InFlightClaims;
}) {
  const factory = deps.limiters ?? memoryRateLimiters;
  const requests = factory("commands:requests", deps.requestLimits ?? { points: deps.limits.points * 4, windowSeconds: deps.limits.windowSeconds });
  const shared = factory("commands", deps.limits);
  const limiters = new Map<string, RateLimiter>();
  for (const [type, { policy }] of deps.commands) {
    if (policy.limit) limiters.set(type, factory(`commands:${type}`, policy.limit));
  }
  const inFlight = new Map<string, { type: string; pending: Promise<CommandResult> }>();

  async function run(user: User, command: Command, ip: string | undefined): Promise<CommandResult> {
    const registration = deps.commands.get(command.type);
    // A known type whose feature is not running on this server.
    if (!registration) throw new ProtocolError("not_found", `No handler for ${command.type} commands`);
    const { receipts } = registration.policy;
    if (receipts) {
      const stored = await deps.receipts.find(user.id, command.id);
      if (stored !== undefined) {
        // An id answers one command: the same id on another type is a client bug, not a retry.
        if (stored.type !== command.type) throw reusedId(command.id, stored.type);
        return { ok: true, id: command.id, result: stored.result };
      }
    }
    const release = receipts && deps.claims ? await deps.claims.claim(`${user.id}:${command.id}`) : NOT_CLAIMED;
    if (release === null) throw new ProtocolError("unavailable", "This command is running on another instance; send it again to get its result");
    try {
      await charge(limiters.get(command.type) ?? shared, user.id);
      const result = await registration.run({ user, ip }, command);
      if (receipts) await deps.receipts.save(user.id, command.id, command.type, result);
      return { ok: true, id: command.id, result };
    } finally {
      release();
    }
  }

  return {
    /** `ip`: the client's address (request.ip, the socket's), for per-address limits of some commands. */
    async dispatch(user: User, input: unknown, transport: TransportName, size?: number, ip?: string): Promise<CommandResult> {
      const envelope = CommandEnvelope.safeParse(input);
      const id = envelope.success ? envelope.data.id : null;
      try {
        await charge(requests, user.id);
        if (size !== undefined && size > MAX_COMMAND_BYTES) {
          throw new ProtocolError("payload_too_large", `Commands are limited to ${MAX_COMMAND_BYTES} bytes`);
        }
        if (!envelope.success) {
          throw new ProtocolError("validation", "Invalid command envelope", { issues: issuesFromZod(envelope.error) });
        }
        const parsed = Command.safeParse(input);
        if (!parsed.success) {
          throw new ProtocolError("validation", `Invalid ${envelope.data.type} command`, { issues: issuesFromZod(parsed.error) });
        }
        const key = `${user.id}:${parsed.data.id}`;
        let running = inFlight.get(key);
        if (running && running.type !== parsed.data.type) throw reusedId(parsed.data.id, running.type);
        if (!running) {
          running = { type: parsed.data.type, pending: run(user, parsed.data, ip).finally(() => inFlight.delete(key)) };
          inFlight.set(key, running);
        }
        const result = await running.pending;
        deps.metrics.commands.inc({ transport, outcome: "ok" });
        return result;
      } catch (error) {
        const protocolError = asProtocolError(error, "Command failed unexpectedly");
        if (protocolError.code === "internal") deps.log.error({ err: error, commandId: id }, "command failed");
        // A flood is refused cheaply; logging each refusal at info would be its own amplification.
        else if (protocolError.code === "rate_limited") deps.log.debug({ commandId: id, userId: user.id }, "command rate limited");
        else deps.log.info({ code: protocolError.code, commandId: id, userId: user.id }, "command refused");
        deps.metrics.commands.inc({ transport, outcome: protocolError.code });
        return { ok: false, id, error: protocolError.toBody() };
      }
    },
  };
}

const NOT_CLAIMED = () => {};

function reusedId(id: string, type: string): ProtocolError {
  return new ProtocolError("conflict", `Command id ${id} already answered a ${type} command; use a new id`);
}

export type CommandDispatcher = ReturnType<typeof createCommandDispatcher>;
