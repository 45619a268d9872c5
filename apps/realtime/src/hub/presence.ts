import { topicKind, type Topic, type TopicKind, type User } from "@repo/protocol";

export interface PresenceChange {
  topic: Topic;
  user: User;
  present: boolean;
}

interface Entry {
  user: User;
  /** Open streams/sockets holding the user present. */
  holds: number;
  /** Present until then without a hold (polls renew it). */
  until: number;
}

/**
 * Who is reading a topic right now, whatever the transport. A stream or socket
 * holds its user present while it is open; a poll or long poll renews a
 * time-to-live, so a polling client counts as present through its requests and
 * drops out once it goes silent. Only topic kinds a feature asked for are tracked.
 */
export function createPresence(options: { ttlMs: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const tracked = new Set<TopicKind>();
  const topics = new Map<Topic, Map<string, Entry>>();
  const listeners = new Set<(change: PresenceChange) => void>();

  function emit(change: PresenceChange) {
    for (const listener of listeners) listener(change);
  }

  function entryFor(topic: Topic, user: User): Entry | null {
    if (!tracked.has(topicKind(topic))) return null;
    let members = topics.get(topic);
    if (!members) {
      members = new Map();
      topics.set(topic, members);
    }
    let entry = members.get(user.id);
    if (!entry) {
      entry = { user: { id: user.id, name: user.name }, holds: 0, until: 0 };
      members.set(user.id, entry);
      emit({ topic, user: entry.user, present: true });
    }
    return entry;
  }

  function sweep() {
    const t = now();
    for (const [topic, members] of topics) {
      for (const [userId, entry] of members) {
        if (entry.holds === 0 && entry.until <= t) {
          members.delete(userId);
          emit({ topic, user: entry.user, present: false });
        }
      }
      if (members.size === 0) topics.delete(topic);
    }
  }

  const timer = setInterval(sweep, Math.max(250, Math.floor(options.ttlMs / 4)));
  timer.unref();

  return {
    /** Features call this for the topic kinds whose presence they show. */
    track(kind: TopicKind) {
      tracked.add(kind);
    },
    /** A poll saw the user reading these topics: present for another TTL. */
    touch(user: User, topicList: Iterable<Topic>) {
      for (const topic of topicList) {
        const entry = entryFor(topic, user);
        if (entry) entry.until = Math.max(entry.until, now() + options.ttlMs);
      }
    },
    /** A stream or socket reads these topics: present until the returned release, then for one TTL. */
    hold(user: User, topicList: Iterable<Topic>): () => void {
      const held: Entry[] = [];
      for (const topic of topicList) {
        const entry = entryFor(topic, user);
        if (entry) {
          entry.holds++;
          held.push(entry);
        }
      }
      // Untracked topics (most connections in a load test): nothing to keep per connection.
      if (held.length === 0) return NOTHING_HELD;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        for (const entry of held) {
          entry.holds--;
          entry.until = Math.max(entry.until, now() + options.ttlMs);
        }
      };
    },
    /** Forgets a user at once (they left the room or signed out). */
    drop(user: User, topic: Topic) {
      const members = topics.get(topic);
      const entry = members?.get(user.id);
      if (!members || !entry) return;
      members.delete(user.id);
      emit({ topic, user: entry.user, present: false });
    },
    /** Who reads the topic through this instance. */
    list(topic: Topic): User[] {
      return [...(topics.get(topic)?.values() ?? [])].map((entry) => entry.user);
    },
    /** Who reads the topic through any instance (one instance: the same as `list`). */
    async listAll(topic: Topic): Promise<User[]> {
      return [...(topics.get(topic)?.values() ?? [])].map((entry) => entry.user);
    },
    onChange(listener: (change: PresenceChange) => void): () => void {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    sweep,
    close() {
      clearInterval(timer);
      topics.clear();
      listeners.clear();
    },
  };
}

export type Presence = ReturnType<typeof createPresence>;

/** What hold() returns when none of the topics is tracked: callers need not keep it. */
export const NOTHING_HELD = () => {};
