import { z } from "zod";

/**
 * Every server→client event belongs to a topic named `<kind>:<id>`.
 * - `chat:<room>`      a chat room (members only)
 * - `notify:<userId>`  one user's notifications (that user only)
 * - `game:<id>`        a game (players and spectators)
 * - `echo:<userId>`    the built-in echo channel (that user only)
 * - `system:ticker`    the built-in ticker (any signed-in user)
 */
export const TOPIC_KINDS = ["chat", "notify", "game", "echo", "system"] as const;
export const TopicKind = z.enum(TOPIC_KINDS);
export type TopicKind = z.infer<typeof TopicKind>;

export const TOPIC_PATTERN = /^(chat|notify|game|echo|system):[A-Za-z0-9_-]{1,64}$/;
export const Topic = z.string().regex(TOPIC_PATTERN, "Topic must look like <kind>:<id>");
export type Topic = z.infer<typeof Topic>;

export const TICKER_TOPIC = "system:ticker";

export function topicKind(topic: Topic): TopicKind {
  return topic.slice(0, topic.indexOf(":")) as TopicKind;
}

export function topicId(topic: Topic): string {
  return topic.slice(topic.indexOf(":") + 1);
}

export function echoTopic(userId: string): Topic {
  return `echo:${userId}`;
}

/** Most topics one connection or request may follow at once. */
export const MAX_TOPICS_PER_SUBSCRIPTION = 16;
