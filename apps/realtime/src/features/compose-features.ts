import type { CommandType, TopicKind } from "@repo/protocol";
import type { FastifyInstance } from "fastify";
import type { CommandHandler, CommandPolicy } from "../commands/types";
import type { TopicAuthorizer } from "../hub/topic-policy";
import type { Feature, FeatureContext, FeatureJob } from "./feature";

/** One registered command type, whatever its feature. */
export interface CommandRegistration {
  feature: string;
  run: CommandHandler<CommandType>;
  policy: CommandPolicy;
}

export interface ComposedFeatures {
  topics: Map<TopicKind, TopicAuthorizer>;
  commands: Map<CommandType, CommandRegistration>;
  routes: Array<(app: FastifyInstance) => void>;
  jobs: Array<FeatureJob & { feature: string }>;
}

/**
 * Builds every feature from its one context and merges what they own. Two
 * features claiming one topic kind or command type (or two features of one
 * name) fail here, at start-up, naming both; nothing is silently replaced.
 */
export function composeFeatures(
  features: readonly Feature[],
  contextFor: (feature: Feature) => FeatureContext<unknown>,
): ComposedFeatures {
  const composed: ComposedFeatures = { topics: new Map(), commands: new Map(), routes: [], jobs: [] };
  const owners = new Map<string, string>();
  const claim = (what: string, name: string, feature: string) => {
    const previous = owners.get(`${what} ${name}`);
    if (previous !== undefined) {
      throw new Error(`Features "${previous}" and "${feature}" both claim the ${what} "${name}"; each may be registered by one feature only`);
    }
    owners.set(`${what} ${name}`, feature);
  };

  for (const feature of features) {
    claim("feature name", feature.name, feature.name);
    const parts = feature.create(contextFor(feature));
    for (const [kind, authorizer] of Object.entries(parts.topics ?? {}) as Array<[TopicKind, TopicAuthorizer | undefined]>) {
      if (!authorizer) continue;
      claim("topic kind", kind, feature.name);
      composed.topics.set(kind, authorizer);
    }
    for (const [type, command] of Object.entries(parts.commands ?? {}) as Array<[CommandType, CommandEntry | undefined]>) {
      if (!command) continue;
      claim("command type", type, feature.name);
      const { run, receipts = true, limit } = command;
      composed.commands.set(type, { feature: feature.name, run, policy: { receipts, limit } });
    }
    if (parts.routes) composed.routes.push((app) => parts.routes?.(app));
    for (const job of parts.jobs ?? []) composed.jobs.push({ ...job, feature: feature.name });
  }
  return composed;
}

/**
 * A command entry as stored: the dispatcher only calls `run` with a command
 * whose `type` is the key it was registered under, which is what makes this
 * widening sound.
 */
type CommandEntry = { run: CommandHandler<CommandType> } & Partial<CommandPolicy>;
