import { isLegalTurn } from "./directions";
import { GAME_LIMITS } from "./limits";
import type { Action, Direction } from "./schemas";

/*
 * One seat's input rules, as pure functions over plain data (the service keeps
 * one queue per seat and replaces it with each answer's `queue`).
 *
 * - seq: positive integers, increasing per seat. seq ≤ the last accepted seq is
 *   "duplicate" and dropped, which also drops anything out of order.
 * - A turn that reverses, or repeats, the direction the cycle will have when the
 *   turn comes up (after the turns already queued) is "illegal".
 * - More than GAME_LIMITS.inputsPerTickMax offers between two ticks (refused
 *   ones count too) is "rate_limited"; a queue holding inputQueueMax is "full".
 * - LATE RULE: an input for a tick that has already been simulated
 *   (forTick < nextTick) is applied at nextTick and flagged late. Nothing is
 *   ever back-dated, so every client re-running the ticks stays in step.
 *   forTick ≥ nextTick (or none) is applied as soon as it comes up.
 * - At most one input per tick: takeInput pops one; lastAppliedSeq is the ack.
 */

export interface PendingInput {
  seq: number;
  action: Action;
  forTick: number | null;
  late: boolean;
}

export interface InputQueue {
  /** 0 until the first input is accepted. */
  lastAcceptedSeq: number;
  /** The ack: the last seq taken for a tick (or dropped, see dropPending). */
  lastAppliedSeq: number;
  pending: PendingInput[];
  /** The tick the offer count is for. */
  offersTick: number;
  offersCount: number;
}

export interface InputOffer {
  seq: number;
  action: Action;
  forTick?: number;
}

export interface OfferContext {
  /** The tick the next step will produce (state.tick + 1). */
  nextTick: number;
  /** The seat's cycle's direction now. */
  currentDir: Direction;
}

export type InputRefusal = "duplicate" | "illegal" | "rate_limited" | "full";

export type OfferResult = { ok: true; late: boolean; queue: InputQueue } | { ok: false; reason: InputRefusal; queue: InputQueue };

export interface TakenInput {
  queue: InputQueue;
  /** The input for this tick, if any. */
  action: Action | null;
  seq: number | null;
  /** Applied later than the tick it was meant for. */
  late: boolean;
  lastAppliedSeq: number;
}

export function createInputQueue(): InputQueue {
  return { lastAcceptedSeq: 0, lastAppliedSeq: 0, pending: [], offersTick: 0, offersCount: 0 };
}

/** The direction the cycle will follow once every queued turn has been applied. */
function plannedDir(queue: InputQueue, currentDir: Direction): Direction {
  let dir = currentDir;
  for (const p of queue.pending) if (p.action.type === "turn") dir = p.action.dir;
  return dir;
}

export function offerInput(queue: InputQueue, offer: InputOffer, context: OfferContext): OfferResult {
  const offersCount = queue.offersTick === context.nextTick ? queue.offersCount + 1 : 1;
  const counted: InputQueue = { ...queue, offersTick: context.nextTick, offersCount };
  if (offersCount > GAME_LIMITS.inputsPerTickMax) return { ok: false, reason: "rate_limited", queue: counted };
  if (offer.seq <= queue.lastAcceptedSeq) return { ok: false, reason: "duplicate", queue: counted };
  if (offer.action.type === "turn" && !isLegalTurn(plannedDir(queue, context.currentDir), offer.action.dir)) {
    return { ok: false, reason: "illegal", queue: counted };
  }
  if (queue.pending.length >= GAME_LIMITS.inputQueueMax) return { ok: false, reason: "full", queue: counted };
  const forTick = offer.forTick ?? null;
  const late = forTick !== null && forTick < context.nextTick;
  const pending = [...queue.pending, { seq: offer.seq, action: offer.action, forTick, late }];
  return { ok: true, late, queue: { ...counted, lastAcceptedSeq: offer.seq, pending } };
}

/** Pops the input for `tick` (at most one). With `tick`, an input that waited past its forTick is flagged late. */
export function takeInput(queue: InputQueue, tick?: number): TakenInput {
  const [first, ...rest] = queue.pending;
  if (first === undefined) return { queue, action: null, seq: null, late: false, lastAppliedSeq: queue.lastAppliedSeq };
  const late = first.late || (tick !== undefined && first.forTick !== null && first.forTick < tick);
  const next = { ...queue, pending: rest, lastAppliedSeq: first.seq };
  return { queue: next, action: first.action, seq: first.seq, late, lastAppliedSeq: first.seq };
}

/** Drops every queued input (a round ended: old turns mean nothing on new spawns); they count as handled for acks. */
export function dropPending(queue: InputQueue): InputQueue {
  return queue.pending.length === 0 ? queue : { ...queue, pending: [], lastAppliedSeq: queue.lastAcceptedSeq };
}
