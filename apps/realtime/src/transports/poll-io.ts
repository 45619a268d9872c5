import type { ClosingNotice, EventEnvelope, ResetSignal, Topic } from "@repo/protocol";
import type { SubscriberIo } from "../subscriptions/subscriber";
import type { PollBatch } from "./poll-answer";

/**
 * A poll's I/O: events and resets collect into the answer; anything else is
 * noted and wakes a held request. A class rather than closures: one is made
 * per request, so its methods belong on the prototype (see pnpm bench, CPU per delivery;
 * under tsx every named closure also costs a defineProperty call per request).
 */
export class PollIo implements SubscriberIo {
  revokedTopic: Topic | null = null;
  notice: ClosingNotice | null = null;
  signalled = false;
  /** Timestamp of the first event collected (0: none yet). */
  firstEventAt = 0;
  /** Called on anything that should answer a held poll now. */
  onWake: (() => void) | null = null;
  /** A held poll's request closed before its answer (see `clientClosed`). */
  clientGone = false;
  private wakeTimer: NodeJS.Timeout | null = null;
  private resolveWait: (() => void) | null = null;
  /** `endWait` bound once per poll: the timer's and the wake-ups' callback. */
  private wakeBound: (() => void) | null = null;

  readonly batch: PollBatch = { events: [], resets: [] };

  event(event: EventEnvelope) {
    if (this.firstEventAt === 0) this.firstEventAt = event.ts;
    this.batch.events.push(event);
    this.onWake?.();
  }
  reset(reset: ResetSignal) {
    this.batch.resets.push(reset);
    this.onWake?.();
  }
  signal() {
    this.signalled = true;
    this.onWake?.();
  }
  revoked(topic: Topic) {
    this.revokedTopic = topic;
    this.onWake?.();
  }
  queuedBytes() {
    return 0;
  }
  full() {
    this.onWake?.();
  }
  close(notice: ClosingNotice) {
    this.notice = notice;
    this.onWake?.();
  }

  /** The request's "close" listener (a held poll): the client left; answer nobody. Bind once per poll. */
  clientClosed() {
    this.clientGone = true;
    this.onWake?.();
  }

  /** Resolves on the poll's next wake-up (an event, a signal, a revocation, the client leaving) or after `ms`. */
  waitForWake(ms: number): Promise<void> {
    const wake = (this.wakeBound ??= this.endWait.bind(this));
    return new Promise<void>((resolve) => {
      this.resolveWait = resolve;
      this.wakeTimer = setTimeout(wake, ms);
      this.onWake = wake;
    });
  }

  /** Ends the current wait (the first of the timer and a wake-up; later calls do nothing). */
  private endWait() {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.onWake = null;
    const resolve = this.resolveWait;
    this.resolveWait = null;
    resolve?.();
  }
}
