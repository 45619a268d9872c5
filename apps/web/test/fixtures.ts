import type { ChatMessage, User } from "@repo/protocol";

export const BOB: User = { id: "u-bob", name: "Bob" };

/** Message number `n` of the lobby: ids and timestamps sort with `n`. */
export function message(n: number, patch: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: `00000000-0000-7000-8000-${String(n).padStart(12, "0")}`,
    roomId: "lobby",
    author: BOB,
    text: `message ${n}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    editedAt: null,
    deletedAt: null,
    ...patch,
  };
}
