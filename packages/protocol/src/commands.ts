import { z } from "zod";
import { ChatCommandPayloads, ChatCommandResults, MessageText } from "./chat";
import { ErrorBody } from "./errors";

/**
 * Client-generated command id. It is the idempotency key: a retried command
 * with the same id gets the first result back and has no second effect.
 */
export const CommandId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "Command id must be 8-64 URL-safe characters");

/** Largest accepted command body, in bytes of JSON (HTTP 413 / ack error above it). */
export const MAX_COMMAND_BYTES = 16 * 1024;

export const EchoCommand = z.object({
  id: CommandId,
  type: z.literal("echo"),
  /** The rules of a chat message (MessageText): 1–2,000 characters, no control characters, paired bidi controls. */
  payload: z.object({ text: MessageText }),
});

/** The chat commands (payloads, results and rules in chat.ts). */
const chatCommand = <T extends keyof typeof ChatCommandPayloads>(type: T) =>
  z.object({ id: CommandId, type: z.literal(type), payload: ChatCommandPayloads[type] });
export const ChatCreateRoomCommand = chatCommand("chat.createRoom");
export const ChatJoinCommand = chatCommand("chat.join");
export const ChatLeaveCommand = chatCommand("chat.leave");
export const ChatSendCommand = chatCommand("chat.send");
export const ChatEditCommand = chatCommand("chat.edit");
export const ChatDeleteCommand = chatCommand("chat.delete");
export const ChatTypingCommand = chatCommand("chat.typing");

/** Every client→server command, keyed on `type`. Features add members here. */
export const Command = z.discriminatedUnion("type", [
  EchoCommand,
  ChatCreateRoomCommand,
  ChatJoinCommand,
  ChatLeaveCommand,
  ChatSendCommand,
  ChatEditCommand,
  ChatDeleteCommand,
  ChatTypingCommand,
]);
export type Command = z.infer<typeof Command>;
export type CommandType = Command["type"];

/** The envelope alone, for telling a bad id from a bad payload. */
export const CommandEnvelope = z.object({ id: CommandId, type: z.string(), payload: z.unknown() });

/** What each command type returns on success. */
export const CommandResults = {
  echo: z.object({ topic: z.string(), offset: z.number().int().positive() }),
  ...ChatCommandResults,
} satisfies Record<CommandType, z.ZodType>;
export type CommandResultOf<T extends CommandType> = z.infer<(typeof CommandResults)[T]>;

/** Answer to a command, the same over HTTP (`POST /v1/commands`) and the socket ack. */
export const CommandResult = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), id: z.string(), result: z.unknown() }),
  z.object({ ok: z.literal(false), id: z.string().nullable(), error: ErrorBody }),
]);
export type CommandResult = z.infer<typeof CommandResult>;
