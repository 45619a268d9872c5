import { ProtocolError, topicId, topicKind, type Topic, type TopicKind, type User } from "@repo/protocol";

/** Decides whether a user may read a topic of one kind, given the id after the colon. */
export type TopicAuthorizer = (user: User, id: string) => boolean | Promise<boolean>;

/**
 * Per-kind read authorization for topics. Features register their kind; a
 * kind nobody registered is refused, so a new topic kind is private by default.
 */
export function createTopicPolicy() {
  const authorizers = new Map<TopicKind, TopicAuthorizer>();
  const revokeListeners = new Set<(userId: string, topic: Topic) => void>();

  return {
    register(kind: TopicKind, authorizer: TopicAuthorizer) {
      authorizers.set(kind, authorizer);
    },
    async canRead(user: User, topic: Topic): Promise<boolean> {
      const authorizer = authorizers.get(topicKind(topic));
      return authorizer ? authorizer(user, topicId(topic)) : false;
    },
    /** Throws `forbidden` naming the first topic the user may not read (message and issue path). */
    async assertCanRead(user: User, topics: Iterable<Topic>) {
      for (const topic of topics) {
        if (!(await this.canRead(user, topic))) throw readForbidden(topic);
      }
    },
    /**
     * A user lost read access to a topic (the feature's rule already refuses
     * them): transports drop it from that user's open streams and held requests.
     */
    revoke(userId: string, topic: Topic) {
      for (const listener of revokeListeners) listener(userId, topic);
    },
    /** Transports listen here; returns the removal. */
    onRevoke(listener: (userId: string, topic: Topic) => void): () => void {
      revokeListeners.add(listener);
      return () => void revokeListeners.delete(listener);
    },
  };
}

export type TopicPolicy = ReturnType<typeof createTopicPolicy>;

/** The refusal of one topic; the issue path `["cursor", topic]` lets a client drop just that one. */
export function readForbidden(topic: Topic): ProtocolError {
  return new ProtocolError("forbidden", `Not allowed to read ${topic}`, {
    issues: [{ path: ["cursor", topic], message: "Not allowed to read this topic" }],
  });
}
