import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

const shas = new Map<string, string>();

/** Runs a Lua script by its SHA (EVALSHA), loading it with EVAL the first time a server has not seen it. */
export async function runScript(redis: Redis, script: string, keys: string[], args: Array<string | number>): Promise<unknown> {
  let sha = shas.get(script);
  if (sha === undefined) {
    sha = createHash("sha1").update(script).digest("hex");
    shas.set(script, sha);
  }
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.includes("NOSCRIPT")) throw error;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}
