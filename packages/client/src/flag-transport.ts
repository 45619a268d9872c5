import { FLAGS_EVENTS, FLAGS_TOPIC, FLAG_KEYS, FOLLOW_DEFAULT_TRANSPORT, FlagsEvent } from "@repo/protocol";
import { fullJitterDelay, type BackoffOptions } from "./backoff";
import type { FlagsEvaluation, RealtimeClient } from "./client";

export interface FollowTransportFlagOptions {
  /** The flag that assigns this client's transport, e.g. `transport.chat` (FLAG_KEYS). */
  flag: string;
  /** The signed-in user's id: the flag's targeting key (rollouts are per user). */
  userId: string;
  /** After each switch the flag caused (`to` is where the client went: the flag's transport, or its remembered fallback). */
  onSwitch?(change: { from: string; to: string }): void;
  /** Each failed evaluation (the client stays where it is; it retries with backoff, up to `retries` times). */
  onError?(error: unknown): void;
  /**
   * On a change, wait a uniformly random 0…`spreadMs` before evaluating (full
   * jitter), so the clients of one change do not all ask at the same instant.
   * Default 300 ms: the switch still lands well within 2 s. 0: at once.
   */
  spreadMs?: number;
  /** Retries after a failed evaluation, each after a full-jitter backoff (default 6). */
  retries?: number;
  /** The backoff of those retries (default: 250 ms doubling up to 4 s). */
  retryBackoff?: BackoffOptions;
  /** For tests: the source of the jitter (default Math.random). */
  random?: () => number;
}

export const FLAG_FOLLOW_DEFAULTS = { spreadMs: 300, retries: 6, retryBackoff: { baseMs: 250, maxMs: 4000 } } as const;

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The transport the bulk answer assigns: the flag's own value, or `transport.default`'s when it says `default`. */
function assignedBy(evaluation: FlagsEvaluation, flag: string): string {
  const valueOf = (key: string) => {
    const found = evaluation.flags.find((entry) => entry.key === key);
    return found && "value" in found ? text(found.value) : "";
  };
  const own = valueOf(flag);
  return own === FOLLOW_DEFAULT_TRANSPORT ? valueOf(FLAG_KEYS.defaultTransport) : own;
}

/**
 * Keeps a client on the transport a feature flag assigns its user: evaluates
 * the flags now and whenever `flags:changes` says the flag (or
 * `transport.default`) changed, with one OFREP bulk request on the client's
 * own transport (If-None-Match: an unchanged answer is a 304), and switches in
 * place when the answer differs (cursors handed over: nothing lost or doubled).
 *
 * A change is evaluated after a random spread (so a thousand clients do not
 * ask in the same millisecond); a failed evaluation is retried with full-jitter
 * backoff, a bounded number of times. An answer overtaken by a newer change is
 * ignored. Returns the stop.
 */
export function followTransportFlag(client: RealtimeClient, options: FollowTransportFlagOptions): () => void {
  const spreadMs = options.spreadMs ?? FLAG_FOLLOW_DEFAULTS.spreadMs;
  const retries = options.retries ?? FLAG_FOLLOW_DEFAULTS.retries;
  const backoff = options.retryBackoff ?? FLAG_FOLLOW_DEFAULTS.retryBackoff;
  const random = options.random ?? Math.random;
  const context = { targetingKey: options.userId };
  /** Bumped by every change (and the stop): an evaluation started for an older one is dropped. */
  let generation = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last: FlagsEvaluation | undefined;

  const live = (attempt: number) => !stopped && attempt === generation && client.status !== "closed";

  function later(ms: number, run: () => void) {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  }

  async function evaluate(attempt: number, failures: number) {
    if (!live(attempt)) return;
    try {
      const answer = (await client.evaluateFlags(context, last?.etag === undefined ? {} : { etag: last.etag })) ?? last;
      if (!live(attempt) || !answer) return;
      last = answer;
      const to = assignedBy(answer, options.flag);
      // Compared with what is wanted, not what is in use: a fallback (SSE while WebSocket is
      // blocked) is not undone by every evaluation that still says WebSocket.
      if (to === client.transportWanted || !client.transports.includes(to)) return;
      const from = client.transportInUse;
      client.switchTransport(to);
      // A remembered fallback may keep the client where it is; only a real move is a switch.
      if (client.transportInUse !== from) options.onSwitch?.({ from, to: client.transportInUse });
    } catch (error) {
      if (!live(attempt)) return;
      options.onError?.(error);
      if (failures < retries) later(fullJitterDelay(failures, backoff, random), () => void evaluate(attempt, failures + 1));
    }
  }

  /** A new reason to evaluate: whatever was pending or in flight is superseded. */
  function schedule(delayMs: number) {
    const attempt = ++generation;
    if (delayMs <= 0) {
      clearTimeout(timer);
      void evaluate(attempt, 0);
    } else later(delayMs, () => void evaluate(attempt, 0));
  }

  const unsubscribe = client.subscribe(FLAGS_TOPIC, (envelope) => {
    const event = FlagsEvent.safeParse(envelope);
    if (!event.success || event.data.type !== FLAGS_EVENTS.changed) return;
    const { flagsChanged } = event.data.payload;
    if (flagsChanged.includes(options.flag) || flagsChanged.includes(FLAG_KEYS.defaultTransport)) {
      schedule(Math.floor(random() * spreadMs));
    }
  });
  schedule(0);
  return () => {
    stopped = true;
    generation++;
    clearTimeout(timer);
    unsubscribe();
  };
}
