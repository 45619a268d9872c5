import { z } from "zod";
import { defineProtocolFeature } from "../feature-module";
import type { Topic } from "../topics";
import { MessageText } from "./chat";

/**
 * The built-in echo: `echo` publishes its text to the sender's own
 * `echo:<userId>` topic (that user only). It exercises the whole command →
 * hub → transport round trip, and is the template for a new feature
 * (docs/adding-a-feature.md).
 */
export const ECHO_EVENTS = { echo: "echo" } as const;

export const EchoEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal(ECHO_EVENTS.echo), payload: z.object({ text: z.string(), from: z.string() }) }),
]);
export type EchoEvent = z.infer<typeof EchoEvent>;

export const echoProtocol = defineProtocolFeature({
  name: "echo",
  topicKinds: ["echo"],
  commands: {
    /** The rules of a chat message (MessageText): 1–2,000 characters, no control characters, paired bidi controls. */
    echo: {
      payload: z.object({ text: MessageText }),
      result: z.object({ topic: z.string(), offset: z.number().int().positive() }),
    },
  },
  events: EchoEvent,
});

export function echoTopic(userId: string): Topic {
  return `echo:${userId}`;
}
