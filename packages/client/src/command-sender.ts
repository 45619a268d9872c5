import {
  CommandResults,
  ERROR_POLICY,
  MAX_COMMAND_BYTES,
  ProtocolError,
  type Command,
  type CommandResult,
  type CommandResultOf,
} from "@repo/protocol";
import { backoffDelay, type BackoffOptions } from "./backoff";
import type { CommandInput } from "./client-types";
import { createCommandId } from "./command-id";
import type { Connection } from "./connection";
import { ConnectionError } from "./errors";
import type { MetricsRecorder } from "./metrics";
import { utf8Length } from "./utf8";

export interface CommandSenderOptions {
  /** Timeout of one attempt. */
  timeoutMs: number;
  /** Extra attempts for a command whose answer was lost. */
  retries: number;
  backoff: BackoffOptions;
}

/**
 * Sends commands over whichever transport is current. A lost answer (network
 * failure, timeout) or one the server did not run (ERROR_POLICY `resend`: a
 * draining instance) is tried again with the same id, which the server treats
 * as an idempotency key: one effect, the first result.
 */
export class CommandSender {
  constructor(
    private readonly connection: Connection,
    private readonly recorder: MetricsRecorder,
    private readonly options: CommandSenderOptions,
  ) {}

  async send<C extends CommandInput>(input: C): Promise<CommandResultOf<C["type"]>> {
    const command: Command = { ...input, id: input.id ?? createCommandId() };
    if (utf8Length(JSON.stringify(command)) > MAX_COMMAND_BYTES) {
      throw new ProtocolError("payload_too_large", `Commands are limited to ${MAX_COMMAND_BYTES} bytes`);
    }
    const { timeoutMs, retries, backoff } = this.options;
    for (let attempt = 0; ; attempt++) {
      try {
        const transport = await this.connection.transportForSend(timeoutMs);
        this.recorder.add("commands");
        return this.resultOf<C>(command, await transport.send(command, timeoutMs));
      } catch (error) {
        const retryable = error instanceof ConnectionError && error.code !== "closed" && !this.connection.closed;
        if (!retryable || attempt >= retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, backoff)));
        this.connection.assertNotClosed();
      }
    }
  }

  private resultOf<C extends CommandInput>(command: Command, answer: CommandResult): CommandResultOf<C["type"]> {
    if (!answer.ok) {
      const error = ProtocolError.fromBody(answer.error);
      if (ERROR_POLICY[error.code].resend) throw new ConnectionError("network", `The server did not run the command (${error.code}); resending`);
      // The server cannot serve this client at all: stop it, as a refused subscription would.
      if (error.code === "unsupported_version") this.connection.stop(error);
      throw error;
    }
    const parsed = CommandResults[command.type].safeParse(answer.result);
    if (!parsed.success) throw new ProtocolError("internal", `Unexpected ${command.type} result`);
    return parsed.data as CommandResultOf<C["type"]>;
  }
}
