import { createHash } from "node:crypto";

/**
 * The ETag of a poll answer is a digest of the cursor it hands back. An empty
 * poll at the same cursor then matches the client's If-None-Match and costs a
 * bare 304, even the first empty poll after a batch.
 */
export function etagOf(cursor: string): string {
  return `"${createHash("sha1").update(cursor).digest("base64url").slice(0, 20)}"`;
}
