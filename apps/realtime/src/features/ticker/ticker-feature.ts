import { TICKER_EVENTS, TICKER_TOPIC } from "@repo/protocol";
import { defineFeature } from "../feature";

export interface TickerConfig {
  /** Time between ticks (default 1 s). */
  intervalMs: number;
}

/** The built-in ticker: one `tick` a second on `system:ticker`, readable by anyone signed in. */
export function tickerFeature(config: Partial<TickerConfig> = {}) {
  return defineFeature<TickerConfig>({
    name: "ticker",
    config: { intervalMs: 1000, ...config },
    create: ({ hub, log, config: { intervalMs } }) => ({
      topics: { system: (_user, id) => `system:${id}` === TICKER_TOPIC },
      jobs: [
        {
          name: "tick",
          start() {
            let n = 0;
            const tick = () =>
              hub.publish(TICKER_TOPIC, TICKER_EVENTS.tick, { n: ++n }).catch((error: unknown) => log.error({ err: error }, "ticker publish failed"));
            const timer = setInterval(() => void tick(), intervalMs);
            timer.unref();
            return () => clearInterval(timer);
          },
        },
      ],
    }),
  });
}
