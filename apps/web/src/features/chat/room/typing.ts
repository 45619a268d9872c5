// Typing, both ways: who else is typing (from the ephemeral `typing` signal, shown for a few
// seconds), and my own "I am typing" commands, throttled to the server's window.
import { CHAT_LIMITS, CHAT_SIGNALS, TypingSignal, type Signal, type User } from "@repo/protocol";
import type { RoomContext } from "./room-context";

/** How long "Ada is typing…" stays after her last typing signal. */
export const TYPING_VISIBLE_MS = 3000;
/** Typing commands at most this often: the server's throttle plus a margin for network jitter. */
const TYPING_SEND_INTERVAL_MS = CHAT_LIMITS.typingThrottleMs + 150;

export class RoomTyping {
  private readonly typingUntil = new Map<string, { user: User; until: number }>();
  private expiryTimer: ReturnType<typeof setTimeout> | null = null;
  private lastSent = -Infinity;
  private trailing: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly context: RoomContext) {}

  /** Who else is typing now. */
  list(): User[] {
    const now = this.context.now();
    return [...this.typingUntil.values()].filter((entry) => entry.until > now).map((entry) => entry.user);
  }

  /** A signal on the topic: someone else is typing (mine come back too, and are not shown). */
  onSignal(signal: Signal): void {
    if (signal.type !== CHAT_SIGNALS.typing) return;
    const parsed = TypingSignal.safeParse(signal.payload);
    if (!parsed.success || parsed.data.user.id === this.context.me.id) return;
    this.typingUntil.set(parsed.data.user.id, { user: parsed.data.user, until: this.context.now() + TYPING_VISIBLE_MS });
    this.scheduleExpiry();
    this.context.changed();
  }

  /** Whoever just posted, or left, has stopped typing. */
  stopped(userId: string): void {
    this.typingUntil.delete(userId);
  }

  /**
   * "I am typing": at most one command per throttle window (the server's, plus a margin so it
   * never absorbs ours). Typing inside the window sends once at its end (so typing again just
   * after sending a message still shows); sending the message cancels that. Failures do not matter.
   */
  typing(): void {
    if (this.trailing) return;
    const wait = this.lastSent + TYPING_SEND_INTERVAL_MS - this.context.now();
    if (wait <= 0) {
      this.send();
      return;
    }
    const generation = this.context.generation();
    this.trailing = setTimeout(() => {
      this.trailing = null;
      if (this.context.live(generation)) this.send();
    }, wait);
  }

  /** My message went out: no trailing "typing" after it. */
  cancelMine(): void {
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = null;
  }

  stop(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    this.cancelMine();
  }

  private send(): void {
    this.lastSent = this.context.now();
    this.context.client.send({ type: "chat.typing", payload: { roomId: this.context.roomId } }).catch(() => undefined);
  }

  private scheduleExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    const now = this.context.now();
    for (const [id, entry] of this.typingUntil) if (entry.until <= now) this.typingUntil.delete(id);
    if (this.typingUntil.size === 0) return;
    const next = Math.min(...[...this.typingUntil.values()].map((entry) => entry.until));
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = null;
      this.scheduleExpiry();
      this.context.changed();
    }, Math.max(0, next - now) + 20);
  }
}
