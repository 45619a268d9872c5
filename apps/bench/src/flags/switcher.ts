import { createClient, followTransportFlag, type RealtimeClient } from "@repo/client";
import { CHAT_EVENTS, ChatEvent, chatTopic, FLAG_KEYS, type TransportName } from "@repo/protocol";
import { monotonicMs } from "../message";
import type { Guest } from "./guests";
import { SeqLedger } from "./seq-ledger";

/** The publisher's message text: the number is what every client checks. */
export const messageText = (seq: number) => `flagbench ${seq}`;
const TEXT_PATTERN = /^flagbench (\d+)$/;

/** The first message id seen for each number, shared by a process's clients: a second id for one number is a mismatch. */
export type IdsBySeq = Map<number, string>;

/**
 * One signed-in guest's SDK client in a chat room, on whatever transport
 * `transport.chat` assigns them (followTransportFlag), counting every chat
 * message it receives by number and noting when it is open on the transport
 * a flip is waiting for.
 */
export class Switcher {
  readonly client: RealtimeClient;
  readonly ledger = new SeqLedger();
  private readonly stopFollowing: () => void;
  /** The transport the current flip waits for, and when this client was first open on it (shared monotonic clock). */
  private awaited: TransportName | undefined;
  openOnAwaitedAt: number | undefined;
  switches = 0;
  errors = 0;
  firstError: string | undefined;
  mismatched = 0;

  constructor(url: string, guest: Guest, roomId: string, transport: TransportName, ids: IdsBySeq) {
    this.client = createClient({ url, transport, auth: { token: guest.token } });
    this.client.on("status", (status) => {
      if (status === "open" && this.awaited !== undefined && this.openOnAwaitedAt === undefined && this.client.transportInUse === this.awaited) {
        this.openOnAwaitedAt = monotonicMs();
      }
    });
    this.client.on("error", (error) => this.fail(error));
    this.client.subscribe(chatTopic(roomId), (envelope) => {
      const event = ChatEvent.safeParse({ type: envelope.type, payload: envelope.payload });
      if (!event.success || event.data.type !== CHAT_EVENTS.messageCreated) return;
      const { message } = event.data.payload;
      const seq = Number(TEXT_PATTERN.exec(message.text)?.[1] ?? Number.NaN);
      if (!Number.isSafeInteger(seq)) return;
      const known = ids.get(seq);
      if (known === undefined) ids.set(seq, message.id);
      else if (known !== message.id) this.mismatched++;
      this.ledger.record(seq);
    });
    this.stopFollowing = followTransportFlag(this.client, {
      flag: FLAG_KEYS.chatTransport,
      userId: guest.userId,
      onSwitch: () => this.switches++,
      onError: (error) => this.fail(error),
    });
  }

  private fail(error: unknown) {
    this.errors++;
    this.firstError ??= error instanceof Error ? error.message : String(error);
  }

  /** Open on `transport` now. */
  isOpenOn(transport: TransportName): boolean {
    return this.client.status === "open" && this.client.transportInUse === transport;
  }

  /** From now, note when this client is first open on `transport` (at once, if it already is). */
  watchFor(transport: TransportName): void {
    this.awaited = transport;
    this.openOnAwaitedAt = this.isOpenOn(transport) ? monotonicMs() : undefined;
  }

  close(): void {
    this.stopFollowing();
    this.client.close();
  }
}
