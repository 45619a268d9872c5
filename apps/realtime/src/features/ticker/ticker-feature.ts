import { TICKER_TOPIC } from "@repo/protocol";
import type { Feature } from "../feature";

/** The built-in ticker: one `tick` a second on `system:ticker`, readable by anyone signed in. */
export function tickerFeature(intervalMs = 1000): Feature {
  return {
    name: "ticker",
    topics: { system: (_user, id) => `system:${id}` === TICKER_TOPIC },
    start({ hub }) {
      let n = 0;
      const timer = setInterval(() => void hub.publish(TICKER_TOPIC, "tick", { n: ++n }), intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
