import { z } from "zod";
import { TOPIC_KINDS, type TopicKind } from "./features";

/**
 * Every server→client event belongs to a topic named `<kind>:<id>`. The kinds
 * come from the feature modules (features.ts); today:
 * - `chat:<room>`      a chat room (members only)
 * - `echo:<userId>`    the built-in echo channel (that user only)
 * - `system:ticker`    the built-in ticker (any signed-in user)
 * - `notify:<userId>`  a user's notifications (that user only)
 * - `notify:broadcast` operator broadcasts (any signed-in user)
 * - `game:lobby`       the live list of games (any signed-in user)
 * - `game:<gameId>`    one game: players and spectators (any signed-in user, while it exists)
 * - `lab:<streamId>`   a transport-lab stream (its owner only, while it runs)
 */
export { TOPIC_KINDS, type TopicKind } from "./features";

/** A topic id: what follows the colon. */
export const TOPIC_ID_PATTERN = "[A-Za-z0-9_-]{1,64}";
export const TOPIC_PATTERN = new RegExp(`^(?:${TOPIC_KINDS.join("|")}):${TOPIC_ID_PATTERN}$`);
export const Topic = z.string().regex(TOPIC_PATTERN, "Topic must look like <kind>:<id> with a known kind");
export type Topic = z.infer<typeof Topic>;

export function topicKind(topic: Topic): TopicKind {
  return topic.slice(0, topic.indexOf(":")) as TopicKind;
}

export function topicId(topic: Topic): string {
  return topic.slice(topic.indexOf(":") + 1);
}

/** Most topics one connection or request may follow at once. */
export const MAX_TOPICS_PER_SUBSCRIPTION = 16;
