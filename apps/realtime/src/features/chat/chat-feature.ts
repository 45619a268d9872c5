import { CHAT_LIMITS } from "@repo/protocol";
import { defineFeature } from "../feature";
import "./chat-events";
import { registerChatRoutes } from "./chat-routes";
import { createChatService } from "./chat-service";

export interface ChatConfig {
  /** `chat.send` per user per window (default 10 per 10 s). */
  sendLimit: { points: number; windowSeconds: number };
  /** At most one typing signal per user and room this often (default 2 s). */
  typingThrottleMs: number;
  /**
   * How long a topic-read membership answer is remembered (default 30 s, each spread up to 1.5×): this
   * instance's joins and leaves apply at once, other instances' leaves arrive as read revocations; the
   * TTL is the backstop. Every miss is a database lookup, and every poll reads: at 5 s, 1,000 pollers of
   * one room cost 200 lookups a second.
   */
  membershipCacheMs: number;
  /** How many (room, user) membership answers are remembered, least recently used out first (default 50,000). */
  membershipCacheEntries: number;
}

export type ChatOptions = Partial<ChatConfig>;

/**
 * Chat rooms on `chat:<roomId>`: rooms and membership, persisted messages with
 * author-only edit/delete, typing signals, presence events, history reads.
 */
export function chatFeature(options: ChatOptions = {}) {
  return defineFeature<ChatConfig>({
    name: "chat",
    config: {
      sendLimit: CHAT_LIMITS.sendRate,
      typingThrottleMs: CHAT_LIMITS.typingThrottleMs,
      membershipCacheMs: 30_000,
      membershipCacheEntries: 50_000,
      ...options,
    },
    create(context) {
      const { config, addressLimits } = context;
      const chat = createChatService({
        hub: context.hub,
        presence: context.presence,
        db: context.db,
        log: context.log,
        revokeRead: (userId, topic) => context.revokeRead(userId, topic),
        onReadRevoked: (listener) => context.onReadRevoked(listener),
        announce: (name, payload) => context.events.emit(name, payload),
        typingThrottleMs: config.typingThrottleMs,
        membershipCacheMs: config.membershipCacheMs,
        membershipCacheEntries: config.membershipCacheEntries,
      });
      return {
        topics: { chat: (user, id) => chat.canRead(user, id) },
        commands: {
          "chat.createRoom": {
            async run({ user, ip }, command) {
              // Rooms are listed to everyone: per address, and for everyone together, a bounded rate (F9).
              if (ip !== undefined) await addressLimits.consume("room", ip);
              await addressLimits.consume("room:global", "");
              return chat.createRoom(user, command.payload.name);
            },
          },
          "chat.join": { run: ({ user }, command) => chat.join(user, command.payload.roomId) },
          "chat.leave": { run: ({ user }, command) => chat.leave(user, command.payload.roomId) },
          "chat.send": {
            limit: config.sendLimit,
            run: ({ user }, command) => chat.send(user, command.id, command.payload.roomId, command.payload.text),
          },
          "chat.edit": { run: ({ user }, command) => chat.edit(user, command.payload.messageId, command.payload.text) },
          "chat.delete": { run: ({ user }, command) => chat.delete(user, command.payload.messageId) },
          // Ephemeral: no receipt; its own generous budget so typing never eats into sends.
          "chat.typing": { receipts: false, limit: { points: 60, windowSeconds: 10 }, run: ({ user }, command) => chat.typing(user, command.payload.roomId) },
        },
        routes: (app) => registerChatRoutes(app, context.auth, chat),
        jobs: [
          {
            name: "lobby and presence",
            async start() {
              await chat.ensureLobby();
              const stopPresence = chat.trackPresence();
              // The service stays in place: commands still in flight while the server drains finish normally.
              return () => {
                stopPresence();
                chat.close();
              };
            },
          },
        ],
      };
    },
  });
}
