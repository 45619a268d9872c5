// What a failed send shows on the message: the SDK's words for the failure (from the protocol's
// ERROR_POLICY), except a rate limit, which says when sending works again (and sets retryAt).
import { ConnectionError, ProtocolError, failureText } from "@repo/client";
import type { SendFailure } from "./message-store";

/** Why a send did not go through, shown on the message (and when a retry may succeed). */
export function describeFailure(error: unknown, now: number): SendFailure {
  if (error instanceof ProtocolError && error.code === "rate_limited") {
    const seconds = Math.max(1, Math.ceil(error.retryAfter ?? 1));
    return { code: error.code, message: `Slow down: you can send again in ${seconds} s.`, retryAt: now + seconds * 1000 };
  }
  const code = error instanceof ProtocolError || error instanceof ConnectionError ? error.code : "internal";
  return { code, message: failureText(error) };
}
