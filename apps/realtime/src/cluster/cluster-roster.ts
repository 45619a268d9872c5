import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { ConnectedUser } from "../subscriptions/connection-registry";

/** How often an instance writes who is connected to it. */
const PUBLISH_EVERY_MS = 5_000;
/** An instance's list counts until then: three missed writes (a dead instance drops out). */
const LIST_TTL_MS = 15_000;
/** Users one instance's list carries at most (its connections are capped anyway). */
const MAX_LISTED = 100_000;

const Listed = z.array(z.object({ id: z.string(), name: z.string() })).max(MAX_LISTED);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Who is connected to the whole service, every instance's users together. */
export interface ClusterRoster {
  /** Distinct users: this instance's now, the others' as of their last write (at most 5 s old). */
  users(): Promise<ConnectedUser[]>;
  close(): void;
}

/** One instance: its own users. */
export function localRoster(local: () => ConnectedUser[]): ClusterRoster {
  return { users: async () => local(), close() {} };
}

/**
 * Several instances on Redis: each writes its list every 5 s under a key that lives 15 s,
 * indexed in a sorted set by expiry, and a reader unions the live ones with its own. For the
 * flag preview, which asks rarely; a write costs one small pipeline per instance per 5 s.
 */
export function redisRoster(redis: Redis, keyPrefix: string, local: () => ConnectedUser[], onError: (error: unknown) => void): ClusterRoster {
  const instance = randomUUID();
  const index = `${keyPrefix}roster`;
  const keyOf = (id: string) => `${keyPrefix}roster:${id}`;

  async function publish() {
    const expiresAt = Date.now() + LIST_TTL_MS;
    await redis
      .multi()
      .set(keyOf(instance), JSON.stringify(local().slice(0, MAX_LISTED)), "PX", LIST_TTL_MS)
      .zadd(index, expiresAt, instance)
      .zremrangebyscore(index, "-inf", Date.now())
      .pexpire(index, LIST_TTL_MS)
      .exec();
  }
  const timer = setInterval(() => void publish().catch(onError), PUBLISH_EVERY_MS);
  timer.unref();
  void publish().catch(onError);

  return {
    async users() {
      const users = new Map<string, ConnectedUser>();
      for (const user of local()) users.set(user.id, user);
      const others = (await redis.zrangebyscore(index, Date.now(), "+inf")).filter((id) => id !== instance);
      const lists = others.length === 0 ? [] : await redis.mget(others.map(keyOf));
      for (const text of lists) {
        if (text === null) continue;
        const parsed = Listed.safeParse(parseJson(text));
        if (!parsed.success) continue; // a list this version cannot read counts as none
        for (const user of parsed.data) if (!users.has(user.id)) users.set(user.id, user);
      }
      return [...users.values()];
    },
    close() {
      clearInterval(timer);
      redis.multi().del(keyOf(instance)).zrem(index, instance).exec().catch(() => {});
    },
  };
}
