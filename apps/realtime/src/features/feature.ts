import type { CommandType, Topic, TopicKind } from "@repo/protocol";
import type { Database } from "@repo/db";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type { Registry } from "prom-client";
import type { Auth } from "../auth/auth";
import type { ClusterBus } from "../cluster/cluster-bus";
import type { ServiceFlags } from "../flags/service-flags";
import type { CommandHandler, CommandPolicy } from "../commands/types";
import type { Hub } from "../hub/hub";
import type { Presence } from "../hub/presence";
import type { TopicAuthorizer } from "../hub/topic-policy";
import type { AddressLimits } from "../limits/address-limits";
import type { ConnectedUser } from "../subscriptions/connection-registry";
import type { FeatureEvents } from "./feature-events";

/** Everything a feature may use: the one context its factory receives. */
export interface FeatureContext<TConfig = undefined> {
  hub: Hub;
  presence: Presence;
  db: Database;
  auth: Auth;
  /** Per-address and global rate limits, for commands whose effect is costly (creating a room). */
  addressLimits: AddressLimits;
  /** The service's feature flags (OpenFeature over flagd-core): transports, kill switches, intervals, tick rate. */
  flags: ServiceFlags;
  /** What features tell each other in process (each declares its events in FeatureEventMap). */
  events: FeatureEvents;
  /** The service's Prometheus registry (GET /metrics): a feature registers its own series here. */
  metrics: Registry;
  /** This feature's logger (`feature: <name>` on every line). */
  log: FastifyBaseLogger;
  /** This feature's own settings (its defaults merged with what the server was given). */
  config: TConfig;
  /**
   * The user may no longer read the topic (e.g. they left a chat room): open
   * streams and sockets stop delivering it at once, and a held long poll is
   * answered `forbidden`. The topic's read rule must already refuse them, so
   * new requests are refused too.
   */
  revokeRead(userId: string, topic: Topic): void;
  /**
   * A read was revoked, here or on another instance (on Redis, revocations travel
   * over the cluster bus): a feature that caches who may read forgets the answer.
   * Returns the removal.
   */
  onReadRevoked(listener: (userId: string, topic: Topic) => void): () => void;
  /**
   * Set when several instances share a Redis (REDIS_URL): the command connection and the
   * key prefix the hub uses, for a feature whose state must be shared beyond the hub's topics
   * (the game's leases and snapshots). Absent on one instance.
   */
  shared?: { redis: Redis; keyPrefix: string };
  /**
   * Hints to every instance of the service, this one included (Redis pub/sub with REDIS_URL;
   * in process otherwise, where `bus.shared` is false). No history: a receiver must stay correct
   * when one is missed (e.g. by also polling, slowly).
   */
  bus: ClusterBus;
  /** Every distinct user connected to this instance right now, whatever the transport (the flag preview counts them). */
  connectedUsers(): ConnectedUser[];
  /** Every distinct user connected to any instance (on Redis, the others' as of at most 5 s ago); this instance's alone otherwise. */
  clusterUsers(): Promise<ConnectedUser[]>;
}

/** One command type a feature runs: its handler, and how the dispatcher treats it (receipts, own rate). */
export interface FeatureCommand<T extends CommandType> extends Partial<CommandPolicy> {
  run: CommandHandler<T>;
}

export type FeatureCommands = { [T in CommandType]?: FeatureCommand<T> };

/** A background job: started before the server listens, stopped when it closes. */
export interface FeatureJob {
  name: string;
  /** Resolves to its stop. A throw fails the server's start (everything started is undone). */
  start(): (() => void) | Promise<() => void>;
}

/** What a feature's factory returns. It never touches a transport. */
export interface FeatureParts {
  /** Who may read each topic kind the feature owns (a kind nobody owns is refused). */
  topics?: { [K in TopicKind]?: TopicAuthorizer };
  commands?: FeatureCommands;
  /** Registers the feature's HTTP reads (paths from the protocol). Throw ProtocolErrors; the error handler types them. */
  routes?(app: FastifyInstance): void;
  jobs?: FeatureJob[];
}

/** A feature ready to register: its name, its settings, and the factory that builds it from one context. */
export interface Feature<TConfig = unknown> {
  name: string;
  config: TConfig;
  create(context: FeatureContext<TConfig>): FeatureParts;
}

/**
 * Declares a feature. `config` is its settings (defaults already applied);
 * for a feature without settings, leave it out.
 */
export function defineFeature<TConfig = undefined>(feature: {
  name: string;
  config?: TConfig;
  create(context: FeatureContext<TConfig>): FeatureParts;
}): Feature<TConfig> {
  return { name: feature.name, config: feature.config as TConfig, create: (context) => feature.create(context) };
}
