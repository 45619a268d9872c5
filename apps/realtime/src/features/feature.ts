import type { TopicKind } from "@repo/protocol";
import type { CommandHandlers } from "../commands/types";
import type { Database } from "@repo/db";
import type { Hub } from "../hub/hub";
import type { Presence } from "../hub/presence";
import type { TopicAuthorizer } from "../hub/topic-policy";

/**
 * A feature owns some topic kinds (who may read them), some command types
 * (how to run them) and optionally a background job. It never touches a transport.
 */
export interface Feature {
  name: string;
  topics?: Partial<Record<TopicKind, TopicAuthorizer>>;
  commands?: Partial<CommandHandlers>;
  /** Starts background work (presence tracking, timers); returns its stop. */
  start?(context: { hub: Hub; presence: Presence; db: Database }): () => void;
}
