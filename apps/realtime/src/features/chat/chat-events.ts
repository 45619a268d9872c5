import type { ChatMessage } from "@repo/protocol";

/** A message was posted or edited (its text may mention people). Emitted after it is stored and published. */
export interface ChatMessagePosted {
  message: ChatMessage;
  edited: boolean;
}

/** A message was deleted (its text is gone). Emitted after the tombstone is stored and published. */
export interface ChatMessageDeleted {
  messageId: string;
  roomId: string;
}

/** What chat tells the other features. */
export interface ChatFeatureEvents {
  "chat.messagePosted": ChatMessagePosted;
  "chat.messageDeleted": ChatMessageDeleted;
}

declare module "../feature-events" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging adds chat's events
  interface FeatureEventMap extends ChatFeatureEvents {}
}
