import { describe, expect, test } from "vitest";
import { createInputQueue, dropPending, GAME_LIMITS, offerInput, takeInput, type Action, type InputQueue, type OfferContext } from "../src/index";

const right: Action = { type: "turn", dir: "right" };
const up: Action = { type: "turn", dir: "up" };
const down: Action = { type: "turn", dir: "down" };
const left: Action = { type: "turn", dir: "left" };
/** The cycle heads up in every case below. */
const at = (nextTick: number): OfferContext => ({ nextTick, currentDir: "up" });

/** Offers and keeps the queue, like the service does. */
function offered(queue: InputQueue, seq: number, action: Action, nextTick = 10, forTick?: number) {
  return offerInput(queue, forTick === undefined ? { seq, action } : { seq, action, forTick }, at(nextTick));
}

describe("the per-seat input queue", () => {
  test("accepts a legal turn, and takeInput hands it over once with its seq as the ack", () => {
    const first = offered(createInputQueue(), 1, right);
    expect(first).toMatchObject({ ok: true, late: false });
    const taken = takeInput(first.queue, 10);
    expect(taken).toMatchObject({ action: right, seq: 1, late: false, lastAppliedSeq: 1 });
    expect(takeInput(taken.queue, 11)).toMatchObject({ action: null, seq: null, lastAppliedSeq: 1 });
  });

  test("seq at or below the last accepted one is a duplicate (that also drops out-of-order inputs)", () => {
    const q = offered(createInputQueue(), 5, right).queue;
    expect(offered(q, 5, left, 11)).toMatchObject({ ok: false, reason: "duplicate" });
    expect(offered(q, 3, left, 11)).toMatchObject({ ok: false, reason: "duplicate" });
    expect(offered(createInputQueue(), 0, right)).toMatchObject({ ok: false, reason: "duplicate" });
  });

  test("a reversal or a repeat of the direction the cycle will follow is illegal, counting queued turns", () => {
    expect(offered(createInputQueue(), 1, down)).toMatchObject({ ok: false, reason: "illegal" });
    expect(offered(createInputQueue(), 1, up)).toMatchObject({ ok: false, reason: "illegal" });
    const queued = offered(createInputQueue(), 1, right).queue;
    expect(offered(queued, 2, left)).toMatchObject({ ok: false, reason: "illegal" });
    expect(offered(queued, 3, right)).toMatchObject({ ok: false, reason: "illegal" });
    expect(offered(queued, 4, down)).toMatchObject({ ok: true });
    // An illegal offer takes no seq: the next one may reuse it.
    const refused = offered(createInputQueue(), 1, down).queue;
    expect(offered(refused, 1, left)).toMatchObject({ ok: true });
  });

  test("two turns may wait (a quick double turn); a third is refused as full", () => {
    let q = offered(createInputQueue(), 1, right).queue;
    q = offered(q, 2, down).queue;
    expect(GAME_LIMITS.inputQueueMax).toBe(2);
    expect(offered(q, 3, left, 10)).toMatchObject({ ok: false, reason: "full" });
    // One tick later one has been taken and there is room again.
    const taken = takeInput(q, 10);
    expect(taken.action).toEqual(right);
    expect(offered(taken.queue, 3, left, 11)).toMatchObject({ ok: true });
  });

  test("more than inputsPerTickMax offers between two ticks are rate_limited, refused ones included", () => {
    expect(GAME_LIMITS.inputsPerTickMax).toBe(3);
    let q = createInputQueue();
    const answers = [];
    for (const [i, action] of [down, right, left, up].entries()) {
      const answer = offered(q, i + 1, action);
      answers.push(answer.ok ? "ok" : answer.reason);
      q = answer.queue;
    }
    expect(answers).toEqual(["illegal", "ok", "illegal", "rate_limited"]);
    // The count starts again at the next tick.
    expect(offered(takeInput(q, 10).queue, 9, left, 11)).toMatchObject({ ok: true });
  });

  test("LATE RULE: an input for a tick already simulated is applied at the next tick and flagged late, never back-dated", () => {
    const late = offered(createInputQueue(), 1, right, 10, 8);
    expect(late).toMatchObject({ ok: true, late: true });
    expect(takeInput(late.queue, 10)).toMatchObject({ action: right, late: true });
    const onTime = offered(createInputQueue(), 1, right, 10, 10);
    expect(onTime).toMatchObject({ ok: true, late: false });
    expect(takeInput(onTime.queue, 10).late).toBe(false);
    const ahead = offered(createInputQueue(), 1, right, 10, 14);
    expect(takeInput(ahead.queue, 10)).toMatchObject({ action: right, late: false });
  });

  test("an input that waited behind another past its tick is reported late when taken", () => {
    let q = offered(createInputQueue(), 1, right, 10, 10).queue;
    q = offered(q, 2, down, 10, 10).queue;
    q = takeInput(q, 10).queue;
    expect(takeInput(q, 11)).toMatchObject({ action: down, late: true, lastAppliedSeq: 2 });
  });

  test("dropPending empties the queue at a round's end; the dropped seqs count as handled for the ack", () => {
    let q = offered(createInputQueue(), 1, right).queue;
    q = offered(q, 2, down).queue;
    const dropped = dropPending(q);
    expect(dropped.pending).toEqual([]);
    expect(takeInput(dropped, 11)).toMatchObject({ action: null, lastAppliedSeq: 2 });
    expect(offered(dropped, 2, left, 11)).toMatchObject({ ok: false, reason: "duplicate" });
  });

  test("offerInput and takeInput never change the queue they are given", () => {
    const q = offered(createInputQueue(), 1, right).queue;
    const copy = structuredClone(q);
    offered(q, 2, down);
    offered(q, 1, down);
    takeInput(q, 10);
    dropPending(q);
    expect(q).toEqual(copy);
  });
});
