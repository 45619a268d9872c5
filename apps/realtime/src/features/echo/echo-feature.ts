import { ECHO_EVENTS, echoTopic } from "@repo/protocol";
import { defineFeature } from "../feature";

/**
 * The built-in echo: `echo` publishes the text to the sender's own
 * `echo:<userId>` topic. It exercises the whole command → hub → transport
 * round trip, and is the template docs/adding-a-feature.md starts from.
 */
export function echoFeature() {
  return defineFeature({
    name: "echo",
    create: ({ hub }) => ({
      topics: { echo: (user, id) => user.id === id },
      commands: {
        echo: {
          async run({ user }, command) {
            const event = await hub.publish(echoTopic(user.id), ECHO_EVENTS.echo, { text: command.payload.text, from: user.id });
            return { topic: event.topic, offset: event.offset };
          },
        },
      },
    }),
  });
}
