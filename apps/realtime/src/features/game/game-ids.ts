import { randomBytes } from "node:crypto";

/** A new game id: 9 random bytes as 12 URL-safe characters (GAME_ID_PATTERN). */
export function newGameId(): string {
  return randomBytes(9).toString("base64url");
}

/** A new match seed (uint32). */
export function newSeed(): number {
  return randomBytes(4).readUInt32LE(0);
}
