import { randomBytes } from "node:crypto";
import { ProtocolError, type Position, type User } from "@repo/protocol";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { PublishFence } from "../../../hub/hub";
import { runScript } from "../../../hub/redis/run-script";
import { gameIndexKey, gameKeys } from "./game-keys";
import { createGameRpc } from "./game-rpc";
import { ACQUIRE_SCRIPT, DUE_SCRIPT, FORGET_SCRIPT, HAND_OFF_SCRIPT, RENEW_SCRIPT } from "./lease-scripts";
import { RecordSummary, RoomRecord } from "./room-record";

export interface GameClusterTimings {
  /** A lease's time to live: an owner that stops renewing loses its games this long after its last renewal. */
  leaseMs: number;
  /** How often an owner renews its leases. */
  renewEveryMs: number;
  /** How often every instance looks for games whose lease ran out (to take them over). */
  scanEveryMs: number;
  /** How long a game's keys outlive the last instance that held it. */
  keepMs: number;
  /** How long a forwarded command waits for the owner. */
  callTimeoutMs: number;
}

/** 900 ms leases renewed every 200 ms and scanned every 200 ms: a dead owner's game resumes elsewhere within about 1.1 s. */
export const DEFAULT_CLUSTER_TIMINGS: GameClusterTimings = {
  leaseMs: 900,
  renewEveryMs: 200,
  scanEveryMs: 200,
  keepMs: 10 * 60_000,
  callTimeoutMs: 2000,
};

export interface GameClusterOptions extends GameClusterTimings {
  redis: Redis;
  keyPrefix: string;
  /** Serves commands other instances forward here. */
  serve(this: void, user: User, command: unknown): Promise<unknown>;
  onError(error: unknown): void;
}

export interface LoadedRoom {
  record: RoomRecord;
  /** The position of the event the record was written with: its state stands there. */
  position: Position;
  /** The match's input log (InputLog numbers). */
  log: number[];
}

const Token = z.int().nonnegative();
const Flag = z.union([z.literal(0), z.literal(1)]);
/** Due games scanned at once. */
const SCAN_MAX = 16;

function unavailable(): ProtocolError {
  return new ProtocolError("unavailable", "The game store is unreachable; try again");
}

/**
 * The game's shared side on Redis: one lease per game with a fencing token
 * (lease-scripts.ts), the room records written with each event (the fenced
 * publish), the index of games every instance scans for owners that died,
 * and the forwarding of commands to a game's owner (game-rpc.ts). The game
 * service decides what to do with them; this module only talks to Redis.
 */
export function createGameCluster(options: GameClusterOptions) {
  const { redis, keyPrefix } = options;
  const instanceId = randomBytes(6).toString("base64url");
  const index = gameIndexKey(keyPrefix);
  const keysOf = (gameId: string) => gameKeys(keyPrefix, gameId);
  const rpc = createGameRpc({ redis, keyPrefix, instanceId, timeoutMs: options.callTimeoutMs, serve: (user, command) => options.serve(user, command), onError: (error) => options.onError(error) });

  async function script(source: string, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await runScript(redis, source, keys, args);
    } catch {
      throw unavailable();
    }
  }

  return {
    instanceId,
    timings: options as GameClusterTimings,

    /** Takes the game's lease if nobody holds it: the new fencing token, or null. */
    async acquire(gameId: string): Promise<number | null> {
      const k = keysOf(gameId);
      const token = Token.parse(await script(ACQUIRE_SCRIPT, [k.lease, k.fence, index], [instanceId, options.leaseMs, options.keepMs, gameId]));
      return token === 0 ? null : token;
    },

    /** Keeps the lease; false when another instance has taken the game. */
    async renew(gameId: string, token: number): Promise<boolean> {
      const k = keysOf(gameId);
      const held = Flag.parse(await script(RENEW_SCRIPT, [k.lease, k.fence, k.room, k.inputs, index], [instanceId, token, options.leaseMs, options.keepMs, gameId]));
      return held === 1;
    },

    /** Frees the lease for another instance to take at once (this one is stopping); the record stays. */
    async handOff(gameId: string, token: number): Promise<void> {
      const k = keysOf(gameId);
      await script(HAND_OFF_SCRIPT, [k.lease, k.fence, index], [token, gameId]);
    },

    /** The game closed: its keys go (if it is still this token's). */
    async forget(gameId: string, token: number): Promise<void> {
      const k = keysOf(gameId);
      await script(FORGET_SCRIPT, [k.lease, k.fence, k.room, k.inputs, index], [token, gameId]);
    },

    /** Games whose owner stopped renewing. */
    async due(): Promise<string[]> {
      return z.array(z.string()).parse(await script(DUE_SCRIPT, [index], [SCAN_MAX]));
    },

    /** The fence of a publish under `token`, writing `record` (and appending `inputs`) with the event. */
    fence(gameId: string, token: number, record: string, inputs: readonly number[] = []): PublishFence {
      const k = keysOf(gameId);
      return {
        key: k.fence,
        token: String(token),
        record: { key: k.room, value: record, ttlMs: options.keepMs },
        append: inputs.length > 0 ? { key: k.inputs, values: inputs.map(String) } : undefined,
      };
    },

    /** The instance holding the game's lease (null: nobody, e.g. between its owner's death and the takeover). */
    async ownerOf(gameId: string): Promise<string | null> {
      try {
        return await redis.get(keysOf(gameId).lease);
      } catch {
        throw unavailable();
      }
    },

    async exists(gameId: string): Promise<boolean> {
      try {
        return (await redis.exists(keysOf(gameId).room)) === 1;
      } catch {
        throw unavailable();
      }
    },

    /** The game's last record, its position and input log; null when there is none (or it cannot be read). */
    async load(gameId: string, withLog: boolean): Promise<LoadedRoom | null> {
      const k = keysOf(gameId);
      let reply: [Array<string | null>, string[]];
      try {
        const [fields, log] = await Promise.all([redis.hmget(k.room, "v", "e", "o"), withLog ? redis.lrange(k.inputs, 0, -1) : Promise.resolve([])]);
        reply = [fields, log];
      } catch {
        throw unavailable();
      }
      const [[value, epoch, offset], log] = reply;
      if (!value || !epoch || !offset) return null;
      let json: unknown;
      try {
        json = JSON.parse(value);
      } catch {
        return null;
      }
      const record = RoomRecord.safeParse(json);
      if (!record.success) return null;
      return { record: record.data, position: { epoch, offset: Number(offset) }, log: log.map(Number) };
    },

    /** Every game's summary, whoever holds it (the lobby). */
    async summaries() {
      let values: Array<string | null>;
      try {
        const ids = await redis.zrange(index, "0", "-1");
        if (ids.length === 0) return [];
        const pipeline = redis.pipeline();
        for (const id of ids) pipeline.hget(keysOf(id).room, "v");
        values = ((await pipeline.exec()) ?? []).map(([error, value]) => (error ? null : (value as string | null)));
      } catch {
        throw unavailable();
      }
      return values.flatMap((value) => {
        if (!value) return [];
        try {
          const parsed = RecordSummary.safeParse(JSON.parse(value));
          return parsed.success ? [parsed.data.game] : [];
        } catch {
          return [];
        }
      });
    },

    /** Runs a command on the game's owner. */
    call: (instance: string, user: User, command: unknown) => rpc.call(instance, user, command),

    close() {
      rpc.close();
    },
  };
}

export type GameCluster = ReturnType<typeof createGameCluster>;
