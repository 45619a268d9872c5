import {
  MAX_TOPICS_PER_SUBSCRIPTION,
  ProtocolError,
  type ClosingNotice,
  type CursorMap,
  type EventEnvelope,
  type Position,
  type ResetSignal,
  type Signal,
  type Topic,
  type TransportName,
} from "@repo/protocol";
import type { AuthUser } from "../auth/auth";
import { encodingOf } from "../hub/event-encoding";
import { createBudget, type Budget } from "./budget";
import type { RegisteredConnection } from "./connection-registry";
import type { SubscriptionCore } from "./subscription-core";
import type { ChannelMember, HeldEvents, TopicChannels } from "./topic-channels";

/** What a transport fills in: only I/O. The subscriber decides what goes out, in which order, and when to stop. */
export interface SubscriberIo {
  event(event: EventEnvelope): void;
  reset(reset: ResetSignal): void;
  signal(signal: Signal): void;
  /** The user may no longer read this topic; it is no longer followed here. */
  revoked(topic: Topic): void;
  /** Bytes queued towards the client and not yet sent. */
  queuedBytes(): number;
  /** Resolves true once the queue has drained, false if it has not within `ms` (streams pace their backlog with it). */
  drained?(ms: number): Promise<boolean>;
  /** The topic went live / stopped (the WebSocket joins and leaves the topic's room). */
  live?(topic: Topic): void;
  unlive?(topic: Topic): void;
  /** The answer budget is spent (polls answer now). */
  full?(): void;
  /** End the connection on purpose, telling the client why (then the subscriber is closed). */
  close(notice: ClosingNotice): void;
}

export interface SubscriberOptions {
  transport: TransportName;
  user: AuthUser;
  ip: string;
  io: SubscriberIo;
  channels: TopicChannels;
  /** Bounds everything this subscriber ever delivers (a poll answer); none for streams. */
  lifetimeBudget?: { events: number; bytes: number };
  /** Streams that can wait for their socket to drain pace the backlog that way instead of by a budget. */
  paceByDrain?: boolean;
  /**
   * Read the backlog and stop (short polls): no live phase, no presence hold, and
   * no registration (nothing is held, so no cap and no session end applies).
   * Everything else, held long polls included, registers.
   */
  once?: boolean;
}

export interface SubscribeOutcome {
  /** Where every requested topic stands (resolved "from now" cursors included). */
  positions: Record<Topic, Position>;
  /** Topics whose backlog went past the budget: not live; subscribe them again from `positions`. */
  more: Topic[];
}

interface TopicState {
  phase: "catching-up" | "live";
  position: Position | null;
  release: () => void;
}

/** Events read from the hub per page of a backlog. */
const PAGE_EVENTS = 200;
/** Subscribers read what their live feed would bring: a shared hub may answer from its copy of it (hub.ts, ReadOptions). */
const LIVE_COPY = { liveCopy: true } as const;
/** A page also ends after this many bytes, so one page never passes a consumer's queue limit on its own. */
const PAGE_BYTES = 128 * 1024;
/** A stream pacing by drain waits on its socket once this much is queued. */
const DRAIN_HIGH_WATER = 64 * 1024;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One connection's (or held request's) subscriptions, whatever the transport:
 * authorization before the hub is touched, at most 16 topics with in-flight
 * subscribes counted, no overlapping subscribe of a topic still catching up,
 * presence holds, a backlog read in pages that yields between them, checks the
 * send queue inside the loop and stops at its budget, then goes live in the
 * same tick as flushing what arrived meanwhile; revocation, slow-consumer
 * cuts and session ends. Every bound lives here once.
 */
export class Subscriber implements ChannelMember, RegisteredConnection {
  readonly transport: TransportName;
  readonly user: AuthUser;
  readonly ip: string;
  private readonly states = new Map<Topic, TopicState>();
  private readonly lifetime: Budget | null;
  private closed = false;
  private spent = false;
  private final: CursorMap | null = null;
  private registered = false;

  constructor(
    private readonly core: SubscriptionCore,
    private readonly options: SubscriberOptions,
  ) {
    this.transport = options.transport;
    this.user = options.user;
    this.ip = options.ip;
    this.lifetime = options.lifetimeBudget ? createBudget(options.lifetimeBudget) : null;
    if (options.once !== true) {
      // Throws `rate_limited` at the per-user or per-address cap: nothing is held then.
      core.registry.open(this);
      this.registered = true;
    }
    // A polling client is between requests most of the time: it counts as connected for a while after each.
    if (options.once === true || options.transport === "long-polling") core.registry.sawPoll(this.user);
    core.track(this);
  }

  // What the connection registry reads (RegisteredConnection), kept on the prototype.
  get userId(): string {
    return this.user.id;
  }

  get userName(): string {
    return this.user.name;
  }

  get sessionId(): string {
    return this.user.sessionId;
  }

  get expiresAt(): number {
    return this.user.expiresAt.getTime();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The lifetime budget ran out (a poll answer is full). */
  get isSpent(): boolean {
    return this.spent;
  }

  topics(): Topic[] {
    return this.final ? Object.keys(this.final) : [...this.states.keys()];
  }

  /** Where each followed topic stands; after close, where they stood (a poll still answers with it). */
  positions(): CursorMap {
    if (this.final) return this.final;
    const out: CursorMap = {};
    for (const [topic, state] of this.states) out[topic] = state.position;
    return out;
  }

  follows(topic: Topic): boolean {
    return this.states.has(topic);
  }

  /**
   * Follows these topics from their cursors: authorizes, reads each backlog
   * within the budget, then goes live. Throws a ProtocolError before anything
   * is held when the request as a whole is refused.
   */
  async subscribe(cursors: CursorMap, budget?: { events: number; bytes: number }): Promise<SubscribeOutcome> {
    const requested = Object.keys(cursors);
    for (const topic of requested) {
      if (this.states.get(topic)?.phase === "catching-up") {
        throw new ProtocolError("conflict", `${topic} is still catching up; wait for its subscribe to be answered`);
      }
    }
    const total = new Set([...this.states.keys(), ...requested]).size;
    if (total > MAX_TOPICS_PER_SUBSCRIPTION) {
      throw new ProtocolError("validation", `At most ${MAX_TOPICS_PER_SUBSCRIPTION} topics per connection`);
    }
    // Reserve every topic before the first await: a burst of subscribes cannot pass the cap together,
    // and a revocation arriving during authorization finds (and drops) the reservation.
    const reserved: Array<[Topic, TopicState]> = [];
    for (const topic of requested) {
      this.drop(topic);
      const state: TopicState = { phase: "catching-up", position: cursors[topic] ?? null, release: NOTHING };
      this.states.set(topic, state);
      reserved.push([topic, state]);
    }
    try {
      await this.core.topics.assertCanRead(this.user, requested);
    } catch (error) {
      for (const [topic, state] of reserved) if (this.states.get(topic) === state) this.drop(topic);
      throw error;
    }
    const callBudget = budget ? createBudget(budget) : null;
    const outcome: SubscribeOutcome = { positions: {}, more: [] };
    for (const [topic, state] of reserved) {
      if (this.closed) break;
      if (this.states.get(topic) !== state) continue; // revoked or unsubscribed meanwhile
      if (this.options.once !== true) state.release = this.core.presence.hold(this.user, [topic]);
      let done: Awaited<ReturnType<Subscriber["catchUp"]>>;
      try {
        done = await this.catchUp(topic, state, callBudget);
      } catch (error) {
        // A failing hub read (a Redis hub can fail) must not leave the topic stuck half-subscribed.
        if (this.states.get(topic) === state) this.drop(topic);
        throw error;
      }
      if (state.position) outcome.positions[topic] = state.position;
      if (done === "more") {
        outcome.more.push(topic);
        // A poll keeps its frozen state for the answer's cursor; a socket forgets it and is asked again.
        if (!this.lifetime) this.drop(topic);
      }
    }
    return outcome;
  }

  unsubscribe(topics: Iterable<Topic>) {
    for (const topic of topics) this.drop(topic);
  }

  /** Live delivery through the default fan-out. */
  deliver(event: EventEnvelope): void {
    const state = this.states.get(event.topic);
    if (!state || state.phase !== "live") return;
    this.send(state, event);
  }

  signal(signal: Signal): void {
    if (!this.closed) this.options.io.signal(signal);
  }

  /**
   * The hub could not deliver a live topic in sequence (a shared hub's live
   * channel dropped): read it again from this subscriber's position, which
   * yields what was missed or a reset, then go live again. If the hub cannot
   * be read either, the connection ends and the client resumes from its cursor.
   */
  lost(topic: Topic): void {
    const state = this.states.get(topic);
    if (this.closed || !state || state.phase !== "live") return;
    state.phase = "catching-up";
    this.options.io.unlive?.(topic);
    this.catchUp(topic, state, null).catch(() => {
      if (this.still(topic, state)) this.end({ reason: "unavailable", message: "The event store is unreachable; resume from your cursor" });
    });
  }

  /** The user lost read access to a topic: stop delivering it and say so. */
  revoke(topic: Topic) {
    if (!this.states.has(topic)) return;
    this.drop(topic);
    this.options.io.revoked(topic);
  }

  /** Ends the connection on purpose (session ended, slow consumer, shutdown). */
  end(notice: ClosingNotice) {
    if (this.closed) return;
    this.options.io.close(notice);
    this.close();
  }

  /** Releases everything: channels, presence, registration. Idempotent. */
  close() {
    if (this.closed) return;
    this.final = this.positions();
    this.closed = true;
    for (const topic of [...this.states.keys()]) this.drop(topic);
    if (this.registered) this.core.registry.remove(this);
    this.core.untrack(this);
  }

  private drop(topic: Topic) {
    const state = this.states.get(topic);
    if (!state) return;
    this.states.delete(topic);
    state.release();
    this.options.channels.leave(topic, this);
    if (state.phase === "live") this.options.io.unlive?.(topic);
  }

  /**
   * Writes one event if it moves the topic forward and the budgets allow;
   * false when a budget is spent or the consumer was cut. Live events check
   * the send queue at once; backlog pages check it once per page.
   */
  private send(state: TopicState, event: EventEnvelope, budget: Budget | null = null, checkQueue = true): boolean {
    const at = state.position;
    if (!at || event.epoch !== at.epoch || event.offset <= at.offset) return true;
    if (this.lifetime || budget) {
      const bytes = encodingOf(event).bytes;
      if (this.lifetime && !this.lifetime.take(bytes)) return this.exhaust();
      if (budget && !budget.take(bytes)) return false;
    }
    state.position = { epoch: event.epoch, offset: event.offset };
    this.options.io.event(event);
    return checkQueue ? this.checkQueue() : true;
  }

  private exhaust(): false {
    if (!this.spent) {
      this.spent = true;
      this.options.io.full?.();
    }
    return false;
  }

  /** Cuts a consumer whose queue passed the limit; false when it was cut. */
  private checkQueue(): boolean {
    if (this.closed) return false;
    const queued = this.options.io.queuedBytes();
    if (queued <= this.core.maxBufferedBytes) return true;
    this.core.slowConsumerCut(this, queued);
    this.end({ reason: "slow_consumer", message: "Client could not keep up; resume from your cursor" });
    return false;
  }

  private still(topic: Topic, state: TopicState): boolean {
    return !this.closed && this.states.get(topic) === state;
  }

  /** Backlog after the state's position, in pages, then live. "more": the budget ran out first. */
  private async catchUp(topic: Topic, state: TopicState, budget: Budget | null): Promise<"live" | "more" | "gone"> {
    const { hub } = this.core;
    const once = this.options.once === true;
    const held: HeldEvents = once ? { events: [], overflowed: false } : this.options.channels.join(topic, this);
    for (;;) {
      const result = await hub.read(topic, state.position, PAGE_EVENTS, LIVE_COPY);
      if (!this.still(topic, state)) return "gone";
      if (result.kind === "reset") {
        state.position = result.reset.position;
        this.options.io.reset(result.reset);
      } else if (state.position === null) {
        state.position = result.position; // from the live end: nothing to send
      } else {
        let pageBytes = 0;
        for (const event of result.events) {
          if (!this.send(state, event, budget, false)) return this.closed ? "gone" : "more";
          pageBytes += encodingOf(event).bytes;
          if (pageBytes >= PAGE_BYTES) {
            pageBytes = 0;
            if (!this.checkQueue()) return "gone";
            await this.pace();
            if (!this.still(topic, state)) return "gone";
          }
        }
        if (!this.checkQueue()) return "gone";
        if (result.events.length === PAGE_EVENTS) {
          await this.pace();
          if (!this.still(topic, state)) return "gone";
          continue;
        }
      }
      if (once) return "live";
      if (held.overflowed) {
        // The topic outran the backlog read: what was held is in the hub, read on from there.
        held.overflowed = false;
        await this.pace();
        if (!this.still(topic, state)) return "gone";
        continue;
      }
      // Re-check access before going live: a revocation may have raced the authorization.
      if (!(await this.core.topics.canRead(this.user, topic))) {
        if (this.still(topic, state)) this.revoke(topic);
        return "gone";
      }
      if (!this.still(topic, state)) return "gone";
      if (held.overflowed) continue;
      // Flush what arrived meanwhile and go live in the same tick: nothing can slip between.
      for (const event of held.events) {
        if (!this.send(state, event, budget, false)) return this.closed ? "gone" : "more";
      }
      held.events = [];
      if (!this.checkQueue()) return "gone";
      state.phase = "live";
      this.options.channels.goLive(topic, this);
      this.options.io.live?.(topic);
      return "live";
    }
  }

  /** Between pages: wait for the socket to drain (streams) or just let other work run. */
  private async pace() {
    const { io } = this.options;
    if (this.options.paceByDrain && io.drained && io.queuedBytes() > DRAIN_HIGH_WATER) {
      if (!(await io.drained(this.core.drainTimeoutMs)) && !this.closed) {
        this.core.slowConsumerCut(this, io.queuedBytes());
        this.end({ reason: "slow_consumer", message: "Client could not keep up; resume from your cursor" });
      }
      return;
    }
    await yieldToLoop();
  }
}

const NOTHING = () => {};
