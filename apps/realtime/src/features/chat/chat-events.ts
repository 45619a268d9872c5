import type { ChatMessage } from "@repo/protocol";

/** A message was posted or edited (its text may mention people). Emitted after it is stored and published. */
export interface ChatMessagePosted {
  message: ChatMessage;
  edited: boolean;
}

declare module "../feature-events" {
  interface FeatureEventMap {
    "chat.messagePosted": ChatMessagePosted;
  }
}
