import { randomUUID } from "node:crypto";
import { ProtocolError } from "@repo/protocol";
import type { Redis } from "ioredis";
import { runScript } from "../hub/redis/run-script";

/**
 * Which commands are running right now on some instance, by (user, command id).
 * The dispatcher's own map covers one instance; this covers the same retry
 * reaching two instances at once (no sticky sessions): only one runs it, the
 * other answers `unavailable` and the client's resend then finds the receipt.
 */
export interface InFlightClaims {
  /** The release when this instance may run the command; null when another is running it. */
  claim(key: string): Promise<(() => void) | null>;
}

/** How long a claim outlives an instance that died while running the command. */
const CLAIM_TTL_MS = 30_000;

/** Deletes the claim only if it is still this instance's (a late release never frees another's). */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export function createRedisInFlightClaims(redis: Redis, prefix = "sb:cmd:"): InFlightClaims {
  return {
    async claim(key) {
      const token = randomUUID();
      let claimed: string | null;
      try {
        claimed = await redis.set(`${prefix}${key}`, token, "PX", CLAIM_TTL_MS, "NX");
      } catch {
        throw new ProtocolError("unavailable", "Commands cannot be checked for duplicates right now; try again");
      }
      if (claimed !== "OK") return null;
      return () => {
        runScript(redis, RELEASE_SCRIPT, [`${prefix}${key}`], [token]).catch(() => {
          // Expires on its own (CLAIM_TTL_MS); the receipt answers retries meanwhile.
        });
      };
    },
  };
}
