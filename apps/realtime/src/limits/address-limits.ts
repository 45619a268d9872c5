import { ProtocolError } from "@repo/protocol";
import { addressKey } from "./address-key";
import { layered, memoryRateLimiters, type RateLimiter, type RateLimiterFactory, type RateWindow } from "./rate-limiter";

/**
 * What a client address (or everyone together, for `:global`) may do how often:
 * - `session`: guest sign-ins per address; `session:global`: all guest sign-ins.
 * - `ticket`: SSE tickets per address.
 * - `poll`: short and long polls per address.
 * - `subscribe`: SSE opens and socket subscribes per address.
 * - `room`: chat room creations per address; `room:global`: all room creations.
 */
export const ADDRESS_LIMIT_KINDS = ["session", "session:global", "ticket", "poll", "subscribe", "room", "room:global"] as const;
export type AddressLimitKind = (typeof ADDRESS_LIMIT_KINDS)[number];

/** Per kind, the windows that all apply (e.g. 10 a minute and 100 a day); an empty list is no limit. */
export type AddressLimitsConfig = Record<AddressLimitKind, RateWindow[]>;

const REFUSALS: Record<AddressLimitKind, string> = {
  session: "Too many sign-ins from your address; try again later",
  "session:global": "Too many new guests right now; try again shortly",
  ticket: "Too many stream tickets from your address; slow down",
  poll: "Too many polls from your address; slow down",
  subscribe: "Too many subscriptions from your address; slow down",
  room: "Too many new rooms from your address; try again later",
  "room:global": "Too many new rooms right now; try again later",
};

export interface AddressLimits {
  /**
   * Charges one action of `kind` to `key` (the client address, `request.ip`;
   * ignored for the `:global` kinds). Over the limit it throws
   * `ProtocolError("rate_limited", …, { retryAfter })`, in whole seconds.
   */
  consume(kind: AddressLimitKind, key: string): Promise<void>;
}

export function createAddressLimits(config: AddressLimitsConfig, options: { limiters?: RateLimiterFactory } = {}): AddressLimits {
  const factory = options.limiters ?? memoryRateLimiters;
  const limiters = new Map<AddressLimitKind, RateLimiter>();
  for (const kind of ADDRESS_LIMIT_KINDS) {
    if (config[kind].length > 0) limiters.set(kind, layered(factory, `address:${kind}`, config[kind]));
  }
  return {
    async consume(kind, key) {
      const limiter = limiters.get(kind);
      if (!limiter) return;
      const retryAfter = await limiter.take(kind.endsWith(":global") ? "*" : addressKey(key));
      if (retryAfter !== null) throw new ProtocolError("rate_limited", REFUSALS[kind], { retryAfter });
    },
  };
}
