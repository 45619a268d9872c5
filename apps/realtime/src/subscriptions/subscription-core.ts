import type { FastifyBaseLogger } from "fastify";
import type { Auth } from "../auth/auth";
import type { TransportGate } from "../flags/transport-gate";
import type { Hub } from "../hub/hub";
import type { Presence } from "../hub/presence";
import type { TopicPolicy } from "../hub/topic-policy";
import type { Metrics } from "../observability/metrics";
import { createConnectionRegistry, type ConnectionLimits } from "./connection-registry";
import { KeyedSets } from "./keyed-sets";
import { Subscriber, type SubscriberOptions } from "./subscriber";
import { createTopicChannels, type LiveFanout } from "./topic-channels";

export interface SubscriptionCoreOptions {
  hub: Hub;
  presence: Presence;
  topics: TopicPolicy;
  auth: Auth;
  metrics: Metrics;
  log: FastifyBaseLogger;
  /** Bytes a connection may have queued before it counts as too slow and is cut. */
  maxBufferedBytes: number;
  connectionLimits: ConnectionLimits;
  /** How often open connections' sessions are re-checked against the database. */
  sessionRevalidateMs: number;
  /** The kill switches: a switched-off transport opens nothing. */
  gate: TransportGate;
}

/**
 * The server side of subscriptions, shared by the streaming transports: the
 * connection registry (caps, session index), revocation fan-in, and topic
 * channels. Transports create a Subscriber per connection and fill in its I/O.
 */
export function createSubscriptionCore(options: SubscriptionCoreOptions) {
  const { hub, presence, topics, auth, metrics, log } = options;
  const byUser = new KeyedSets<Subscriber>();
  const registry = createConnectionRegistry({
    limits: options.connectionLimits,
    revalidateMs: options.sessionRevalidateMs,
    activeSessions: (ids) => auth.activeSessions(ids),
    onError: (error) => log.error({ err: error }, "ending a connection failed"),
  });
  const stopRevoke = topics.onRevoke((userId, topic) => {
    for (const subscriber of byUser.get(userId)) subscriber.revoke(topic);
  });
  const stopSessionEnded = auth.onSessionEnded((sessionId) => registry.endSession(sessionId));

  const core = {
    hub,
    presence,
    topics,
    registry,
    gate: options.gate,
    maxBufferedBytes: options.maxBufferedBytes,
    /** How long a stream's backlog waits for its socket to drain before the consumer counts as too slow. */
    drainTimeoutMs: 10_000,
    channels: (fanout?: LiveFanout) => createTopicChannels(hub, fanout),
    /** Channels with the default fan-out, shared by polls, long polls and SSE. */
    sharedChannels: createTopicChannels(hub),
    /** Throws `transport_disabled` when the transport is switched off, `rate_limited` at the caps. */
    subscriber(subscriberOptions: SubscriberOptions) {
      options.gate.check(subscriberOptions.transport);
      return new Subscriber(core, subscriberOptions);
    },
    track(subscriber: Subscriber) {
      byUser.add(subscriber.user.id, subscriber);
    },
    untrack(subscriber: Subscriber) {
      byUser.delete(subscriber.user.id, subscriber);
    },
    slowConsumerCut(subscriber: Subscriber, queued: number) {
      metrics.slowConsumersCut.inc({ transport: subscriber.transport });
      log.warn({ userId: subscriber.user.id, transport: subscriber.transport, queued }, "cutting slow consumer");
    },
    close() {
      core.sharedChannels.close();
      stopRevoke();
      stopSessionEnded();
      registry.stop();
    },
  };
  return core;
}

export type SubscriptionCore = ReturnType<typeof createSubscriptionCore>;
