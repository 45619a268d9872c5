const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * A fresh command id: 22 random URL-safe characters (132 bits), valid for the
 * protocol's `CommandId`. Reuse it when retrying: the server treats the id as
 * an idempotency key and answers a repeat with the first result.
 */
export function createCommandId(): string {
  const bytes = new Uint8Array(22);
  globalThis.crypto.getRandomValues(bytes);
  let id = "";
  for (const byte of bytes) id += ALPHABET[byte & 63];
  return id;
}
