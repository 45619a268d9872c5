import type { z } from "zod";

/** One command type on the wire: what its payload must be and what it returns. */
export interface CommandSpec<TPayload extends z.ZodType = z.ZodType, TResult extends z.ZodType = z.ZodType> {
  payload: TPayload;
  result: TResult;
}

/**
 * What one feature adds to the protocol: the topic kinds it owns, its command
 * types (payload and result schemas), and the events it publishes on its
 * topics (a discriminated union on `type` over `{ type, payload }`). The
 * protocol's `Command` union, topic grammar and kind list are composed from
 * these modules in `features.ts`; nothing is listed twice.
 */
export interface ProtocolFeature<
  TKind extends string = string,
  TCommands extends Record<string, CommandSpec> = Record<string, CommandSpec>,
> {
  name: string;
  topicKinds: readonly TKind[];
  commands: TCommands;
  /** `{ type, payload }` of every event on this feature's topics, when it publishes any. */
  events?: z.ZodType<{ type: string; payload: unknown }>;
}

/** Declares a protocol feature module, keeping its literal kinds and command names in the types. */
export function defineProtocolFeature<const TKind extends string, const TCommands extends Record<string, CommandSpec>>(
  feature: ProtocolFeature<TKind, TCommands>,
): ProtocolFeature<TKind, TCommands> {
  return feature;
}
