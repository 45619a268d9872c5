// What to show when a command or a read fails: typed refusals say why, connection failures
// say so plainly.
import { ConnectionError, ProtocolError } from "@repo/client";
import type { SendFailure } from "./message-store";

/** Why a send did not go through, shown on the message (and when a retry may succeed). */
export function describeFailure(error: unknown, now: number): SendFailure {
  if (error instanceof ProtocolError) {
    if (error.code === "rate_limited") {
      const seconds = Math.max(1, Math.ceil(error.retryAfter ?? 1));
      return { code: error.code, message: `Slow down: you can send again in ${seconds} s.`, retryAt: now + seconds * 1000 };
    }
    const issue = error.issues?.[0]?.message;
    return { code: error.code, message: issue ?? error.message };
  }
  if (error instanceof ConnectionError) {
    return { code: error.code, message: error.code === "closed" ? "The connection is closed." : "No connection to the service." };
  }
  return { code: "internal", message: error instanceof Error ? error.message : "Something went wrong." };
}

/** One line for a failed join, edit or delete. */
export function errorText(error: unknown): string {
  if (error instanceof ProtocolError) return error.issues?.[0]?.message ?? error.message;
  if (error instanceof ConnectionError) return "No connection to the realtime service. Try again.";
  return error instanceof Error ? error.message : "Something went wrong.";
}
