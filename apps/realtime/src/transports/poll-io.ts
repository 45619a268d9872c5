import type { ClosingNotice, Topic } from "@repo/protocol";
import type { SubscriberIo } from "../subscriptions/subscriber";
import type { PollBatch } from "./poll-answer";

/** What woke a held long poll, besides events. */
export interface PollWake {
  revoked: Topic | null;
  notice: ClosingNotice | null;
  signalled: boolean;
}

/** A poll's I/O: events and resets collect into the answer; anything else wakes the held request. */
export function collectingIo(batch: PollBatch, wake: (why: Partial<PollWake>) => void = () => {}): SubscriberIo {
  return {
    event: (event) => {
      batch.events.push(event);
      wake({});
    },
    reset: (reset) => {
      batch.resets.push(reset);
      wake({});
    },
    signal: () => wake({ signalled: true }),
    revoked: (topic) => wake({ revoked: topic }),
    queuedBytes: () => 0,
    full: () => wake({}),
    close: (notice) => wake({ notice }),
  };
}
