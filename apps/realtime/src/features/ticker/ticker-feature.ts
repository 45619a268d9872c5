import { TICKER_TOPIC } from "@repo/protocol";
import type { Feature } from "../feature";

/** The built-in ticker: one `tick` a second on `system:ticker`, readable by anyone signed in. */
export function tickerFeature(intervalMs = 1000): Feature {
  return {
    name: "ticker",
    topics: { system: (_user, id) => `system:${id}` === TICKER_TOPIC },
    start({ hub, log }) {
      let n = 0;
      const tick = () => hub.publish(TICKER_TOPIC, "tick", { n: ++n }).catch((error: unknown) => log.error({ err: error }, "ticker publish failed"));
      const timer = setInterval(() => void tick(), intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
