import { FLAGS_EVENTS, FLAGS_TOPIC, FLAG_KEYS, FOLLOW_DEFAULT_TRANSPORT, FlagsEvent } from "@repo/protocol";
import type { RealtimeClient } from "./client";

export interface FollowTransportFlagOptions {
  /** The flag that assigns this client's transport, e.g. `transport.chat` (FLAG_KEYS). */
  flag: string;
  /** The signed-in user's id: the flag's targeting key (rollouts are per user). */
  userId: string;
  /** After each switch the flag asked for. */
  onSwitch?(change: { from: string; to: string }): void;
  /** A failed evaluation (the client stays where it is and tries again on the next change). */
  onError?(error: unknown): void;
}

/**
 * Keeps a client on the transport a feature flag assigns its user: evaluates
 * the flag (over the service's OFREP endpoint) now and whenever `flags:changes`
 * says flags changed, on the client's own transport, and switches in place when
 * the answer differs (cursors handed over: nothing lost or doubled). A flag
 * saying `default` follows `transport.default`. Returns the stop.
 */
export function followTransportFlag(client: RealtimeClient, options: FollowTransportFlagOptions): () => void {
  let latest = 0;
  let stopped = false;

  async function assigned(): Promise<string> {
    const context = { targetingKey: options.userId };
    const text = (value: unknown) => (typeof value === "string" ? value : "");
    const own = text((await client.evaluateFlag(options.flag, context)).value);
    if (own !== FOLLOW_DEFAULT_TRANSPORT) return own;
    return text((await client.evaluateFlag(FLAG_KEYS.defaultTransport, context)).value);
  }

  async function apply() {
    const attempt = ++latest;
    try {
      const to = await assigned();
      // A newer change was read meanwhile: its answer wins.
      if (stopped || attempt !== latest || client.status === "closed") return;
      const from = client.transportInUse;
      if (to === from || !client.transports.includes(to)) return;
      client.switchTransport(to);
      options.onSwitch?.({ from, to });
    } catch (error) {
      if (!stopped) options.onError?.(error);
    }
  }

  const unsubscribe = client.subscribe(FLAGS_TOPIC, (envelope) => {
    const event = FlagsEvent.safeParse(envelope);
    if (!event.success || event.data.type !== FLAGS_EVENTS.changed) return;
    const { flagsChanged } = event.data.payload;
    if (flagsChanged.includes(options.flag) || flagsChanged.includes(FLAG_KEYS.defaultTransport)) void apply();
  });
  void apply();
  return () => {
    stopped = true;
    unsubscribe();
  };
}
