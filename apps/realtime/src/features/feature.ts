import type { Topic, TopicKind } from "@repo/protocol";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Auth } from "../auth/auth";
import type { CommandHandlers, CommandPolicies } from "../commands/types";
import type { Database } from "@repo/db";
import type { Hub } from "../hub/hub";
import type { Presence } from "../hub/presence";
import type { TopicAuthorizer } from "../hub/topic-policy";

/** What a feature's background work may use. */
export interface FeatureContext {
  hub: Hub;
  presence: Presence;
  db: Database;
  log: FastifyBaseLogger;
  /**
   * The user may no longer read the topic (e.g. they left a chat room): open
   * streams and sockets on this instance stop delivering it at once, and a
   * held long poll is answered `forbidden`. The topic's read rule must already
   * refuse them, so new requests are refused too.
   */
  revokeRead(userId: string, topic: Topic): void;
}

/** What a feature's HTTP routes may use. */
export interface FeatureRouteContext {
  auth: Auth;
  hub: Hub;
  presence: Presence;
  db: Database;
}

/**
 * A feature owns some topic kinds (who may read them), some command types
 * (how to run them, and how the dispatcher treats them), optionally plain HTTP
 * reads and a background job. It never touches a transport.
 */
export interface Feature {
  name: string;
  topics?: Partial<Record<TopicKind, TopicAuthorizer>>;
  commands?: Partial<CommandHandlers>;
  /** Per command type: receipts on/off and an own rate limit (default: receipts, the shared rate). */
  policies?: CommandPolicies;
  /** Starts background work (presence tracking, timers, seed data); resolves to its stop. Runs before the server listens. */
  start?(context: FeatureContext): (() => void) | Promise<() => void>;
  /** Registers the feature's HTTP reads (GET /v1/<feature>/…). Throw ProtocolErrors; the error handler types them. */
  routes?(app: FastifyInstance, context: FeatureRouteContext): void;
}
