import { gameTopic } from "@repo/protocol";

/**
 * The game's Redis keys. Per game, under the game topic's hash tag (so a
 * Redis Cluster keeps them on the hub's slot for that topic):
 *   {game:<id>}:lease   string  the owner instance's id, PX leaseMs (renewed by the owner)
 *   {game:<id>}:fence   integer the fencing token: INCR on every acquisition
 *   {game:<id>}:room    hash    v = the room record (room-record.ts), e/o = the position of the event it was written with
 *   {game:<id>}:inputs  list    the match's applied inputs (InputLog numbers), appended each tick
 * and one index, `games`: a sorted set gameId → lease deadline (Redis time, ms),
 * which every instance scans for games whose owner stopped renewing.
 * Every key has a TTL (renewed by the owner) and is deleted when the game closes.
 */
export function gameKeys(prefix: string, gameId: string) {
  const tag = `${prefix}{${gameTopic(gameId)}}`;
  return { lease: `${tag}:lease`, fence: `${tag}:fence`, room: `${tag}:room`, inputs: `${tag}:inputs` };
}

export type GameKeys = ReturnType<typeof gameKeys>;

export const gameIndexKey = (prefix: string) => `${prefix}games`;
export const rpcChannel = (prefix: string, instanceId: string) => `${prefix}game-rpc:${instanceId}`;
