import type { z } from "zod";
import type { CommandSpec, ProtocolFeature } from "./feature-module";
import { chatProtocol } from "./features/chat";
import { echoProtocol } from "./features/echo";
import { flagsProtocol } from "./features/flags";
import { gameProtocol } from "./features/game";
import { labProtocol } from "./features/lab";
import { notificationsProtocol } from "./features/notifications";
import { tickerProtocol } from "./features/ticker";
import { transportReportsProtocol } from "./features/transport-reports";

/**
 * The features this protocol speaks. The topic kinds, the topic grammar, the
 * `Command` union and the command results are all composed from this list:
 * a new feature is one module in features/ and one line here.
 */
export const PROTOCOL_FEATURES = [echoProtocol, tickerProtocol, chatProtocol, notificationsProtocol, flagsProtocol, gameProtocol, transportReportsProtocol, labProtocol] as const;

type Features = typeof PROTOCOL_FEATURES;

/** The command specs of every feature, merged; two features claiming one command type make this `never`. */
type MergedCommands<T extends readonly ProtocolFeature[], Seen = object> = T extends readonly [
  infer Head extends ProtocolFeature,
  ...infer Rest extends readonly ProtocolFeature[],
]
  ? Extract<keyof Head["commands"], keyof Seen> extends never
    ? MergedCommands<Rest, Seen & Head["commands"]>
    : never
  : { [K in keyof Seen]: Seen[K] };

export type CommandSpecs = MergedCommands<Features>;

/** Throws on a topic kind or command type claimed twice (the types catch it too; this is the runtime guard). */
export function composeProtocolFeatures(features: readonly ProtocolFeature[]) {
  const kinds: string[] = [];
  const commands: Record<string, CommandSpec> = {};
  const owner = new Map<string, string>();
  const claim = (what: string, name: string, feature: string) => {
    const previous = owner.get(`${what}:${name}`);
    if (previous) throw new Error(`Protocol features ${previous} and ${feature} both define the ${what} ${name}`);
    owner.set(`${what}:${name}`, feature);
  };
  for (const feature of features) {
    for (const kind of feature.topicKinds) {
      claim("topic kind", kind, feature.name);
      kinds.push(kind);
    }
    for (const [type, spec] of Object.entries(feature.commands)) {
      claim("command type", type, feature.name);
      commands[type] = spec;
    }
  }
  return { kinds, commands };
}

const composed = composeProtocolFeatures(PROTOCOL_FEATURES);

export type TopicKind = Features[number]["topicKinds"][number];
/** Every topic kind, from the feature modules. */
export const TOPIC_KINDS = composed.kinds as readonly TopicKind[];

export type CommandType = Extract<keyof CommandSpecs, string>;
/** Every command type's payload and result schema, from the feature modules. */
export const COMMAND_SPECS = composed.commands as CommandSpecs;

/** What each command type returns on success. */
export const CommandResults = Object.fromEntries(Object.entries(COMMAND_SPECS).map(([type, spec]) => [type, spec.result])) as {
  [T in CommandType]: CommandSpecs[T]["result"];
};
export type CommandResultOf<T extends CommandType> = z.infer<CommandSpecs[T]["result"]>;
export type CommandPayloadOf<T extends CommandType> = z.infer<CommandSpecs[T]["payload"]>;

/** The `{ type, payload }` schema of the events on each topic kind, where its feature declares them. */
export const EVENTS_BY_TOPIC_KIND: Partial<Record<TopicKind, z.ZodType<{ type: string; payload: unknown }>>> = Object.fromEntries(
  PROTOCOL_FEATURES.flatMap((feature) => (feature.events ? feature.topicKinds.map((kind) => [kind, feature.events]) : [])),
);
