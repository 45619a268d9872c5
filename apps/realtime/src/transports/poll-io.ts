import type { ClosingNotice, EventEnvelope, ResetSignal, Topic } from "@repo/protocol";
import type { SubscriberIo } from "../subscriptions/subscriber";
import type { PollBatch } from "./poll-answer";

/**
 * A poll's I/O: events and resets collect into the answer; anything else is
 * noted and wakes a held request. A class rather than closures: one is made
 * per request, so its methods belong on the prototype (see pnpm bench, CPU per delivery).
 */
export class PollIo implements SubscriberIo {
  revokedTopic: Topic | null = null;
  notice: ClosingNotice | null = null;
  signalled = false;
  /** Timestamp of the first event collected (0: none yet). */
  firstEventAt = 0;
  /** Called on anything that should answer a held poll now. */
  onWake: (() => void) | null = null;

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
}
