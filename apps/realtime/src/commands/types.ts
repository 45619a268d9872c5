import type { CommandOf, CommandResultOf, CommandType, User } from "@repo/protocol";

/** Who sent a command, and from where (the feature's own context has the rest). */
export interface CommandContext {
  user: User;
  /** The client's address, when the transport knows it (for per-address limits such as `room`). */
  ip?: string;
}

/** Runs one command type. Throw a ProtocolError for a typed failure (nothing is recorded). */
export type CommandHandler<T extends CommandType> = (context: CommandContext, command: CommandOf<T>) => Promise<CommandResultOf<T>>;

/** Where first results of commands are kept, so a retried id has no second effect. */
export interface ReceiptStore {
  /** The stored receipt (the command type it answered, and its result), or undefined when there is none. */
  find(userId: string, commandId: string): Promise<{ type: string; result: unknown } | undefined>;
  save(userId: string, commandId: string, type: string, result: unknown): Promise<unknown>;
}

/**
 * How the dispatcher treats one command type. Defaults: a receipt is kept and
 * the command draws on the shared per-user command rate.
 */
export interface CommandPolicy {
  /**
   * Keep the first result under the command id, so a retry has no second
   * effect. Off for ephemeral commands (typing): nothing is written.
   */
  receipts: boolean;
  /**
   * Its own per-user budget instead of the shared command rate: over it the
   * command is refused with `rate_limited` and `retryAfter`, and does nothing.
   * Charged only for work that runs: a retry answered from its receipt is free
   * here (it still counts against the per-user request rate).
   */
  limit?: { points: number; windowSeconds: number };
}
