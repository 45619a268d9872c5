import { echoTopic } from "@repo/protocol";
import type { Feature } from "../feature";

/**
 * The built-in echo: `echo` publishes the text to the sender's own
 * `echo:<userId>` topic. It exercises the whole command → hub → transport
 * round trip before any product feature exists.
 */
export const echoFeature: Feature = {
  name: "echo",
  topics: { echo: (user, id) => user.id === id },
  commands: {
    async echo({ user, hub }, command) {
      const event = await hub.publish(echoTopic(user.id), "echo", { text: command.payload.text, from: user.id });
      return { topic: event.topic, offset: event.offset };
    },
  },
};
