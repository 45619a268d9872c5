import { setTimeout as sleep } from "node:timers/promises";
import { createClient, type RealtimeClient } from "@repo/client";
import { CHAT_LIMITS, ProtocolError } from "@repo/protocol";
import { monotonicMs } from "../message";
import type { Guest } from "./guests";
import { messageText } from "./switcher";

/** Authors needed for `rate` messages a second under chat.send's per-user limit, with a 50 % margin. */
export function authorsFor(rate: number): number {
  const perUserPerSecond = CHAT_LIMITS.sendRate.points / CHAT_LIMITS.sendRate.windowSeconds;
  return Math.ceil((rate / perUserPerSecond) * 1.5) + 1;
}

/**
 * Sends numbered chat messages (`flagbench <n>`) into one room at a steady
 * rate, taking turns among its authors (WebSocket clients that follow no
 * flag). One send at a time: message n+1 is sent once n is stored, so the
 * room's order is the numbers' order and every client can check it. A refused
 * send (not stored) is tried again; one with no answer stops the publisher,
 * since nobody can say whether that number exists.
 */
export class ChatPublisher {
  private readonly authors: RealtimeClient[];
  /** Message id of number n at index n − 1. */
  readonly ids: string[] = [];
  refused = 0;
  failure: Error | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private turn = 0;

  constructor(
    url: string,
    guests: Guest[],
    private readonly roomId: string,
  ) {
    this.authors = guests.map((guest) => createClient({ url, transport: "websocket", auth: { token: guest.token } }));
  }

  get lastSeq(): number {
    return this.ids.length;
  }

  start(rate: number): void {
    if (this.running) throw new Error("the publisher is already running");
    this.stopping = false;
    this.running = this.run(rate);
  }

  /** Stops after the send in flight; resolves with the last number stored. */
  async stop(): Promise<number> {
    this.stopping = true;
    await this.running;
    this.running = undefined;
    return this.lastSeq;
  }

  private async run(rate: number): Promise<void> {
    const startedAt = monotonicMs();
    const first = this.lastSeq;
    while (!this.stopping) {
      const wait = startedAt + ((this.lastSeq - first) * 1000) / rate - monotonicMs();
      if (wait > 0) await sleep(wait);
      if (this.stopping) break;
      const seq = this.lastSeq + 1;
      const author = this.authors[this.turn++ % this.authors.length]!;
      try {
        const { message } = await author.send({ type: "chat.send", payload: { roomId: this.roomId, text: messageText(seq) } });
        this.ids.push(message.id);
      } catch (error) {
        if (error instanceof ProtocolError) {
          this.refused++;
          await sleep(50);
          continue;
        }
        this.failure = error instanceof Error ? error : new Error(String(error));
        return;
      }
    }
  }

  close(): void {
    for (const author of this.authors) author.close();
  }
}
