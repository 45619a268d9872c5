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
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Hub } from "../hub/hub";
import type { Metrics } from "../observability/metrics";
import type { CommandHandler, CommandHandlers, CommandPolicies, ReceiptStore } from "./types";

export interface CommandLimits {
  /** Commands per user per window. */
  points: number;
  windowSeconds: number;
}

/**
 * The one path every client→server action takes, whatever the transport:
 * size → envelope → schema → idempotency (in flight, then stored receipt) →
 * rate limit → handler → receipt. Never throws: failures come back typed.
 * A type's policy can turn receipts off (ephemeral commands) or give it its
 * own rate limit instead of the shared one.
 */
export function createCommandDispatcher(deps: {
  hub: Hub;
  handlers: CommandHandlers;
  receipts: ReceiptStore;
  limits: CommandLimits;
  policies?: CommandPolicies;
  metrics: Metrics;
  log: FastifyBaseLogger;
}) {
  const shared = new RateLimiterMemory({ points: deps.limits.points, duration: deps.limits.windowSeconds });
  const limiters = new Map<string, RateLimiterMemory>();
  for (const [type, policy] of Object.entries(deps.policies ?? {})) {
    if (policy?.limit) {
      limiters.set(type, new RateLimiterMemory({ keyPrefix: type, points: policy.limit.points, duration: policy.limit.windowSeconds }));
    }
  }
  const inFlight = new Map<string, Promise<CommandResult>>();

  async function run(user: User, command: Command): Promise<CommandResult> {
    const handler = deps.handlers[command.type] as CommandHandler<typeof command.type> | undefined;
    // A known type whose feature is not running on this server.
    if (!handler) throw new ProtocolError("not_found", `No handler for ${command.type} commands`);
    const receipts = deps.policies?.[command.type]?.receipts ?? true;
    if (receipts) {
      const stored = await deps.receipts.find(user.id, command.id);
      if (stored !== undefined) return { ok: true, id: command.id, result: stored };
    }
    try {
      await (limiters.get(command.type) ?? shared).consume(user.id);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        throw new ProtocolError("rate_limited", "Too many commands; slow down", {
          retryAfter: Math.ceil(rejection.msBeforeNext / 1000),
        });
      }
      throw rejection;
    }
    const result = await handler({ user, hub: deps.hub }, command);
    if (receipts) await deps.receipts.save(user.id, command.id, command.type, result);
    return { ok: true, id: command.id, result };
  }

  return {
    async dispatch(user: User, input: unknown, transport: TransportName, size?: number): Promise<CommandResult> {
      const envelope = CommandEnvelope.safeParse(input);
      const id = envelope.success ? envelope.data.id : null;
      try {
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
        let pending = inFlight.get(key);
        if (!pending) {
          pending = run(user, parsed.data).finally(() => inFlight.delete(key));
          inFlight.set(key, pending);
        }
        const result = await pending;
        deps.metrics.commands.inc({ transport, outcome: "ok" });
        return result;
      } catch (error) {
        const protocolError =
          error instanceof ProtocolError ? error : new ProtocolError("internal", "Command failed unexpectedly");
        if (protocolError.code === "internal") deps.log.error({ err: error, commandId: id }, "command failed");
        else deps.log.info({ code: protocolError.code, commandId: id, userId: user.id }, "command refused");
        deps.metrics.commands.inc({ transport, outcome: protocolError.code });
        return { ok: false, id, error: protocolError.toBody() };
      }
    },
  };
}

export type CommandDispatcher = ReturnType<typeof createCommandDispatcher>;
