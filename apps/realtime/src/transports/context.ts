import type { ClosingNotice } from "@repo/protocol";
import type { Auth } from "../auth/auth";
import type { CommandDispatcher } from "../commands/dispatcher";
import type { ServerConfig } from "../config";
import type { OriginPolicy } from "../http/origin";
import type { Hub } from "../hub/hub";
import type { Presence } from "../hub/presence";
import type { TopicPolicy } from "../hub/topic-policy";
import type { Metrics } from "../observability/metrics";

/** Open streams and held requests, so shutdown can end them deliberately. */
export function createConnectionTracker() {
  const closers = new Set<(notice: ClosingNotice) => void>();
  return {
    /** Registers a closer; returns its removal. */
    add(close: (notice: ClosingNotice) => void) {
      closers.add(close);
      return () => void closers.delete(close);
    },
    closeAll(notice: ClosingNotice) {
      for (const close of [...closers]) close(notice);
      closers.clear();
    },
    size: () => closers.size,
  };
}

export type ConnectionTracker = ReturnType<typeof createConnectionTracker>;

/** Everything a transport adapter may use. Adapters hold no feature logic. */
export interface TransportContext {
  hub: Hub;
  presence: Presence;
  auth: Auth;
  topics: TopicPolicy;
  dispatcher: CommandDispatcher;
  metrics: Metrics;
  config: ServerConfig;
  origins: OriginPolicy;
  connections: ConnectionTracker;
}
