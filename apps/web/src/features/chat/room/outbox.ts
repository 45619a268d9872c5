// The messages I send: shown at once (pending), then confirmed by the command's answer, or
// failed with the reason. A retry reuses the command id, so the server posts a message at most
// once; sends lost with the connection are resent by themselves a few times. Sends go one at a
// time, in the order they were made: two in flight at once (on HTTP, two requests) could be
// posted in the other order.
import { createCommandId } from "@repo/client";
import { describeFailure } from "./failures";
import type { RoomHistory } from "./history";
import type { MessageStore, SendFailure } from "./message-store";
import type { RoomContext } from "./room-context";

/** Automatic resends of a message whose send lost the connection (then it waits for Retry). */
const MAX_AUTO_RETRIES = 5;
/** When the connection still looks open after a send lost it, try again after this long. */
const AUTO_RETRY_DELAY_MS = 3000;

const CONNECTION_CODES = new Set<SendFailure["code"]>(["network", "timeout"]);

export class Outbox {
  /** Sends are refused for being too fast until then (ms since the Unix epoch), or null. */
  rateLimitedUntil: number | null = null;
  /** Sends waiting for the one in flight, oldest first. */
  private readonly queue: string[] = [];
  private sending = false;

  constructor(
    private readonly context: RoomContext,
    private readonly store: MessageStore,
    private readonly history: RoomHistory,
  ) {}

  /** Shows the message at once and sends it (`text` already validated with MessageText). */
  send(text: string): void {
    const commandId = createCommandId();
    this.store.addPending(commandId, text, this.context.now());
    this.context.changed();
    this.enqueue(commandId, 0);
  }

  /** Sends a failed message again, with the same command id: the server posts it at most once. */
  retry(commandId: string): void {
    if (this.store.getPending(commandId)?.state !== "failed") return;
    this.enqueue(commandId, 0);
  }

  /** Forgets a failed message. */
  discard(commandId: string): void {
    if (this.store.getPending(commandId)?.state !== "failed") return;
    this.store.removePending(commandId);
    this.context.changed();
  }

  /** The connection is back: resends the messages whose send it lost (a few times, then Retry). */
  resendAfterConnectionLoss(): void {
    for (const entry of this.store.pendingMessages()) {
      if (entry.state === "failed" && entry.failure && CONNECTION_CODES.has(entry.failure.code) && entry.autoRetries < MAX_AUTO_RETRIES) {
        this.enqueue(entry.commandId, entry.autoRetries + 1);
      }
    }
  }

  /** Marks the message as sending at once, and sends it when those before it are answered. */
  private enqueue(commandId: string, autoRetries: number): void {
    this.store.updatePending(commandId, { state: "sending", failure: undefined, autoRetries });
    this.context.changed();
    this.queue.push(commandId);
    if (!this.sending) void this.sendQueued();
  }

  private async sendQueued(): Promise<void> {
    this.sending = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) await this.attempt(next);
    } finally {
      this.sending = false;
    }
  }

  /** One send; never rejects (a failure is recorded on the message). */
  private async attempt(commandId: string): Promise<void> {
    const entry = this.store.getPending(commandId);
    if (!entry) return;
    try {
      const { message } = await this.context.client.send({
        id: commandId,
        type: "chat.send",
        payload: { roomId: this.context.roomId, text: entry.text },
      });
      this.store.removePending(commandId);
      this.history.upsert(message);
      this.context.changed();
    } catch (error) {
      if (!this.store.getPending(commandId)) return;
      const failure = describeFailure(error, this.context.now());
      this.store.updatePending(commandId, { state: "failed", failure, matchedId: undefined });
      if (failure.retryAt !== undefined) {
        this.rateLimitedUntil = Math.max(this.rateLimitedUntil ?? 0, failure.retryAt);
        this.context.later(failure.retryAt - this.context.now() + 50, () => this.clearRateLimit());
      }
      if (CONNECTION_CODES.has(failure.code) && this.context.client.status === "open") {
        // The connection came back (or never looked down): try again shortly.
        this.context.later(AUTO_RETRY_DELAY_MS, () => this.resendAfterConnectionLoss());
      }
      this.context.changed();
    }
  }

  private clearRateLimit(): void {
    if (this.rateLimitedUntil !== null && this.rateLimitedUntil <= this.context.now()) {
      this.rateLimitedUntil = null;
      this.context.changed();
    }
  }
}
