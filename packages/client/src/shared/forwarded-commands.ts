import { CommandResults, ProtocolError, type Command } from "@repo/protocol";
import { ConnectionError } from "../errors";
import type { ResultOutcome } from "./channel-messages";

interface Forwarded {
  command: Command;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * A tab's commands sent to the leader and not yet answered: kept until the answer (validated
 * with the command's result schema), the deadline, or the client's close, so that each new
 * leader can be given them again (same id: one effect).
 */
export class ForwardedCommands {
  private readonly waiting = new Map<string, Forwarded>();

  constructor(private readonly deadlineMs: number) {}

  /** Resolves with the command's typed result; the id is the request id on the channel. */
  add(command: Command): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(command.id);
        reject(new ConnectionError("timeout", "No leading tab answered the command"));
      }, this.deadlineMs);
      this.waiting.set(command.id, { command, resolve, reject, timer });
    });
  }

  all(): Command[] {
    return [...this.waiting.values()].map(({ command }) => command);
  }

  settle(requestId: string, outcome: ResultOutcome): void {
    const forwarded = this.waiting.get(requestId);
    if (!forwarded) return;
    this.waiting.delete(requestId);
    clearTimeout(forwarded.timer);
    const { command, resolve, reject } = forwarded;
    if ("result" in outcome) {
      const parsed = CommandResults[command.type].safeParse(outcome.result);
      if (parsed.success) resolve(parsed.data);
      else reject(new ProtocolError("internal", `Unexpected ${command.type} result`));
    } else if ("protocol" in outcome) reject(ProtocolError.fromBody(outcome.protocol));
    else reject(new ConnectionError(outcome.connection.code, outcome.connection.message));
  }

  rejectAll(error: unknown): void {
    for (const { timer, reject } of this.waiting.values()) {
      clearTimeout(timer);
      reject(error);
    }
    this.waiting.clear();
  }
}
