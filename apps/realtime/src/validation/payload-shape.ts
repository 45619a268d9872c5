import { ProtocolError } from "@repo/protocol";

/** Deeper than any message of the protocol nests; far below what overflows JSON.stringify (~5,000). */
export const MAX_PAYLOAD_DEPTH = 32;
/** More values than any command carries (a message is one string); bounds the walk itself. */
export const MAX_PAYLOAD_NODES = 10_000;

/**
 * Refuses a decoded client value that is too deep, too wide, or carries binary
 * data, before anything recursive (JSON.stringify, zod) touches it. The walk is
 * iterative with an explicit stack, so a 10,000-level array cannot overflow it.
 */
export function assertPlainPayload(value: unknown, what = "payload"): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (++nodes > MAX_PAYLOAD_NODES) throw new ProtocolError("validation", `The ${what} has too many values`);
    if (current === null || typeof current !== "object") {
      if (typeof current === "function" || typeof current === "symbol" || typeof current === "bigint") {
        throw new ProtocolError("validation", `The ${what} must be plain JSON`);
      }
      continue;
    }
    if (ArrayBuffer.isView(current) || current instanceof ArrayBuffer) {
      throw new ProtocolError("validation", `The ${what} must not carry binary data`);
    }
    if (depth >= MAX_PAYLOAD_DEPTH) throw new ProtocolError("validation", `The ${what} is nested too deeply`);
    const children: unknown[] = Array.isArray(current) ? current : Object.values(current);
    if (nodes + children.length > MAX_PAYLOAD_NODES) throw new ProtocolError("validation", `The ${what} has too many values`);
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
}
