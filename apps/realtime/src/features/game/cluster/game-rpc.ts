import { randomUUID } from "node:crypto";
import { ErrorBody, ProtocolError, User } from "@repo/protocol";
import type { Redis } from "ioredis";
import { z } from "zod";
import { rpcChannel } from "./game-keys";

/** A command forwarded to the instance that owns its game: who sent it, and the command as the dispatcher had it. */
const RpcRequest = z.object({ kind: z.literal("request"), id: z.string(), replyTo: z.string(), user: User, command: z.unknown() });
const RpcReply = z.object({
  kind: z.literal("reply"),
  id: z.string(),
  result: z.unknown().optional(),
  error: ErrorBody.optional(),
});

export interface GameRpcOptions {
  redis: Redis;
  keyPrefix: string;
  instanceId: string;
  instanceName?: string;
  /** How long a caller waits for the owner's answer before `unavailable`. */
  timeoutMs: number;
  /** Runs a forwarded command here (this instance owns its game). */
  serve(this: void, user: User, command: unknown): Promise<unknown>;
  onError(error: unknown): void;
}

/** Calls waiting for an answer, at most: past it a forward is `unavailable` at once. */
const MAX_PENDING = 1000;
/** Forwarded commands answered lately, by (user, command id): a resend gets the same answer, nothing runs twice. */
const ANSWERED_MAX = 1000;
const ANSWERED_MS = 60_000;

function unavailable(message = "The instance running this game did not answer; try again"): ProtocolError {
  return new ProtocolError("unavailable", message);
}

/**
 * Request/reply between instances over Redis pub/sub: each instance listens
 * on its own channel (requests to it and replies to its calls). A call waits
 * at most `timeoutMs`; a channel nobody listens on (the owner is gone) is
 * `unavailable` at once. The owner keeps its recent answers by command id, so
 * a resend after a lost reply is answered again rather than run again.
 */
export function createGameRpc(options: GameRpcOptions) {
  const { redis, keyPrefix, instanceId } = options;
  const own = rpcChannel(keyPrefix, instanceId);
  const pending = new Map<string, { resolve(value: unknown): void; reject(error: unknown): void; timer: NodeJS.Timeout }>();
  const answered = new Map<string, { at: number; reply: Promise<z.infer<typeof RpcReply>> }>();
  const sub = redis.duplicate({
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    connectionName: `${options.instanceName ?? "switchboard"}:game`,
  });
  sub.on("error", () => {
    // Reconnects and resubscribes on its own; calls meanwhile time out as `unavailable`.
  });
  const subscribed = sub.subscribe(own).then(
    () => undefined,
    (error: unknown) => options.onError(error),
  );
  sub.on("message", (channel: string, message: string) => {
    if (channel !== own) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch (error) {
      options.onError(error);
      return;
    }
    const reply = RpcReply.safeParse(parsed);
    if (reply.success) return settle(reply.data);
    const request = RpcRequest.safeParse(parsed);
    if (request.success) void answer(request.data);
  });

  function settle(reply: z.infer<typeof RpcReply>) {
    const call = pending.get(reply.id);
    if (!call) return; // timed out already
    pending.delete(reply.id);
    clearTimeout(call.timer);
    if (reply.error) call.reject(ProtocolError.fromBody(reply.error));
    else call.resolve(reply.result);
  }

  type Reply = z.infer<typeof RpcReply>;

  function run(request: z.infer<typeof RpcRequest>): Promise<Reply> {
    const commandId = z.object({ id: z.string() }).safeParse(request.command);
    const key = commandId.success ? `${request.user.id}:${commandId.data.id}` : null;
    const now = Date.now();
    const seen = key ? answered.get(key) : undefined;
    if (seen && now - seen.at < ANSWERED_MS) return seen.reply;
    const reply: Promise<Reply> = options.serve(request.user, request.command).then(
      (result): Reply => ({ kind: "reply", id: request.id, result }),
      (error: unknown) => {
        if (!(error instanceof ProtocolError)) options.onError(error);
        const refused = error instanceof ProtocolError ? error : new ProtocolError("internal", "The game could not run that command");
        return { kind: "reply", id: request.id, error: refused.toBody() } satisfies Reply;
      },
    );
    if (key) {
      answered.set(key, { at: now, reply });
      // A refusal to be tried again (the game is moving) is not an answer to keep.
      void reply.then((sent) => {
        if (sent.error?.code === "unavailable" && answered.get(key)?.reply === reply) answered.delete(key);
      });
      for (const oldest of answered.keys()) {
        if (answered.size <= ANSWERED_MAX) break;
        answered.delete(oldest);
      }
    }
    return reply;
  }

  async function answer(request: z.infer<typeof RpcRequest>) {
    const reply = await run(request);
    redis.publish(rpcChannel(keyPrefix, request.replyTo), JSON.stringify({ ...reply, id: request.id })).catch((error: unknown) => options.onError(error));
  }

  return {
    /** Runs `command` (as `user`) on `instance`: its result, or its ProtocolError; `unavailable` if it does not answer in time. */
    async call(instance: string, user: User, command: unknown): Promise<unknown> {
      if (pending.size >= MAX_PENDING) throw unavailable("Too many commands are waiting for other instances; try again");
      await subscribed;
      const id = randomUUID();
      const answer = new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(unavailable());
        }, options.timeoutMs);
        timer.unref();
        pending.set(id, { resolve, reject, timer });
      });
      const message = JSON.stringify({ kind: "request", id, replyTo: instanceId, user: { id: user.id, name: user.name }, command });
      let receivers: number;
      try {
        receivers = await redis.publish(rpcChannel(keyPrefix, instance), message);
      } catch {
        receivers = 0;
      }
      if (receivers === 0) settle({ kind: "reply", id, error: unavailable().toBody() });
      return answer;
    },

    close() {
      for (const [id, call] of pending) {
        clearTimeout(call.timer);
        call.reject(unavailable());
        pending.delete(id);
      }
      answered.clear();
      sub.disconnect();
    },
  };
}

export type GameRpc = ReturnType<typeof createGameRpc>;
