import type { ServiceFlags } from "../flags/service-flags";
import type { Auth } from "../auth/auth";
import type { CommandDispatcher } from "../commands/dispatcher";
import type { ServerConfig } from "../config";
import type { OriginPolicy } from "../http/origin";
import type { Hub } from "../hub/hub";
import type { Presence } from "../hub/presence";
import type { TopicPolicy } from "../hub/topic-policy";
import type { Metrics } from "../observability/metrics";
import type { AddressLimits } from "../limits/address-limits";
import type { SubscriptionCore } from "../subscriptions/subscription-core";

/** Everything a transport adapter may use. Adapters hold no feature logic, and no subscription logic either: that is the core's. */
export interface TransportContext {
  hub: Hub;
  presence: Presence;
  auth: Auth;
  topics: TopicPolicy;
  dispatcher: CommandDispatcher;
  metrics: Metrics;
  config: ServerConfig;
  origins: OriginPolicy;
  core: SubscriptionCore;
  /** Per-address rate limits: `consume` throws `rate_limited` with `retryAfter` when over. */
  addressLimits: AddressLimits;
  /** The service's flags: the poll interval it advises, the long-poll hold. */
  flags: ServiceFlags;
}
