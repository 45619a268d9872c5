import { z } from "zod";
import { defineProtocolFeature } from "../feature-module";

/** The built-in ticker: one `tick` a second on `system:ticker`, readable by anyone signed in. No commands. */
export const TICKER_TOPIC = "system:ticker";

export const TICKER_EVENTS = { tick: "tick" } as const;

export const TickerEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal(TICKER_EVENTS.tick), payload: z.object({ n: z.number().int().positive() }) }),
]);
export type TickerEvent = z.infer<typeof TickerEvent>;

export const tickerProtocol = defineProtocolFeature({
  name: "ticker",
  topicKinds: ["system"],
  commands: {},
  events: TickerEvent,
});
