import { z } from "zod";
import { ErrorBody } from "./errors";
import { COMMAND_SPECS, type CommandSpecs, type CommandType } from "./features";

export { COMMAND_SPECS, CommandResults, type CommandPayloadOf, type CommandResultOf, type CommandType } from "./features";

/**
 * Client-generated command id. It is the idempotency key: a retried command
 * with the same id gets the first result back and has no second effect.
 */
export const CommandId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "Command id must be 8-64 URL-safe characters");

/** Largest accepted command body, in bytes of JSON (HTTP 413 / ack error above it). */
export const MAX_COMMAND_BYTES = 16 * 1024;

/** The envelope schema of one command type: `{ id, type, payload }`. */
type CommandSchema<T extends CommandType> = z.ZodObject<{
  id: typeof CommandId;
  type: z.ZodLiteral<T>;
  payload: CommandSpecs[T]["payload"];
}>;
type AnyCommandSchema = { [T in CommandType]: CommandSchema<T> }[CommandType];

function commandSchema<T extends CommandType>(type: T): CommandSchema<T> {
  return z.object({ id: CommandId, type: z.literal(type), payload: COMMAND_SPECS[type].payload });
}

const commandSchemas = (Object.keys(COMMAND_SPECS) as CommandType[]).map((type) => commandSchema(type)) as [
  AnyCommandSchema,
  ...AnyCommandSchema[],
];

/** Every client→server command, keyed on `type`, composed from the feature modules (features.ts). */
export const Command = z.discriminatedUnion("type", commandSchemas);
export type Command = z.infer<typeof Command>;
/** One command type's envelope, e.g. `CommandOf<"chat.send">`. */
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

/** The envelope alone, for telling a bad id from a bad payload. */
export const CommandEnvelope = z.object({ id: CommandId, type: z.string(), payload: z.unknown() });

/** Answer to a command, the same over HTTP (`POST /v1/commands`) and the socket ack. */
export const CommandResult = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), id: z.string(), result: z.unknown() }),
  z.object({ ok: z.literal(false), id: z.string().nullable(), error: ErrorBody }),
]);
export type CommandResult = z.infer<typeof CommandResult>;
