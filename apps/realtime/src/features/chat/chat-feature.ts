import { CHAT_LIMITS, ProtocolError } from "@repo/protocol";
import type { Feature } from "../feature";
import { registerChatRoutes } from "./chat-routes";
import { createChatService, type ChatService } from "./chat-service";

export interface ChatOptions {
  /** `chat.send` per user per window (default 10 per 10 s). */
  sendLimit?: { points: number; windowSeconds: number };
  /** At most one typing signal per user and room this often (default 2 s). */
  typingThrottleMs?: number;
  /** How long a topic-read membership answer is remembered (default 5 s; this instance's joins/leaves apply at once). */
  membershipCacheMs?: number;
  /** How many (room, user) membership answers are remembered, least recently used out first (default 50,000). */
  membershipCacheEntries?: number;
}

/**
 * Chat rooms on `chat:<roomId>`: rooms and membership, persisted messages with
 * author-only edit/delete, typing signals, presence events, history reads.
 * Create one per server (it holds that server's state once started).
 */
export function chatFeature(options: ChatOptions = {}): Feature {
  let service: ChatService | null = null;
  const chat = () => {
    if (!service) throw new ProtocolError("internal", "The chat feature is not running");
    return service;
  };

  return {
    name: "chat",
    topics: { chat: (user, id) => chat().canRead(user, id) },
    policies: {
      "chat.send": { receipts: true, limit: options.sendLimit ?? CHAT_LIMITS.sendRate },
      // Ephemeral: no receipt; its own generous budget so typing never eats into sends.
      "chat.typing": { receipts: false, limit: { points: 60, windowSeconds: 10 } },
    },
    commands: {
      "chat.createRoom": async ({ user, ip, addressLimits }, command) => {
        // Rooms are listed to everyone: per address, and for everyone together, a bounded rate (F9).
        if (ip !== undefined) await addressLimits.consume("room", ip);
        await addressLimits.consume("room:global", "");
        return chat().createRoom(user, command.payload.name);
      },
      "chat.join": ({ user }, command) => chat().join(user, command.payload.roomId),
      "chat.leave": ({ user }, command) => chat().leave(user, command.payload.roomId),
      "chat.send": ({ user }, command) => chat().send(user, command.id, command.payload.roomId, command.payload.text),
      "chat.edit": ({ user }, command) => chat().edit(user, command.payload.messageId, command.payload.text),
      "chat.delete": ({ user }, command) => chat().delete(user, command.payload.messageId),
      "chat.typing": ({ user }, command) => chat().typing(user, command.payload.roomId),
    },
    async start(context) {
      const { hub, presence, db, log } = context;
      const started = createChatService({
        hub,
        presence,
        db,
        log,
        revokeRead: (userId, topic) => context.revokeRead(userId, topic),
        typingThrottleMs: options.typingThrottleMs ?? CHAT_LIMITS.typingThrottleMs,
        membershipCacheMs: options.membershipCacheMs ?? 5000,
        membershipCacheEntries: options.membershipCacheEntries ?? 50_000,
      });
      await started.ensureLobby();
      service = started;
      const stopPresence = started.trackPresence();
      // The service stays in place: commands still in flight while the server drains finish normally.
      return () => {
        stopPresence();
        started.close();
      };
    },
    routes(app, context) {
      registerChatRoutes(app, context, chat);
    },
  };
}
