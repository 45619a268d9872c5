import {
  createMessage,
  createRoom,
  deleteMessage,
  editMessage,
  ensureRoom,
  findMessage,
  findRoom,
  findRoomSummary,
  isMember,
  joinRoom,
  leaveRoom,
  listMessages,
  listRooms,
  type Database,
} from "@repo/db";
import {
  CHAT_EVENTS,
  CHAT_SIGNALS,
  LOBBY_ROOM,
  ProtocolError,
  ROOM_ID_PATTERN,
  chatTopic,
  roomIdFromName,
  topicId,
  topicKind,
  type CommandResultOf,
  type ChatHistoryResponse,
  type ChatEvent,
  type ChatRoomsResponse,
  type TypingSignal,
  type User,
} from "@repo/protocol";
import type { FastifyBaseLogger } from "fastify";
import type { Hub } from "../../hub/hub";
import type { Presence } from "../../hub/presence";
import type { FeatureEventMap } from "../feature-events";
import type { ChatFeatureEvents } from "./chat-events";
import { createMembershipCache } from "./membership-cache";
import { decodeRoomsCursor, encodeRoomsCursor, messageToWire, roomToWire } from "./wire";

export interface ChatServiceDeps {
  hub: Hub;
  presence: Presence;
  db: Database;
  log: FastifyBaseLogger;
  revokeRead(userId: string, topic: string): void;
  /** Revocations from every instance: a membership answer cached here is forgotten at once. */
  onReadRevoked?(listener: (userId: string, topic: string) => void): () => void;
  /** Tells the other features a message was posted, edited or deleted (mentions are theirs); resolves when they are done. */
  announce?<K extends keyof ChatFeatureEvents>(name: K, payload: FeatureEventMap[K]): Promise<void>;
  typingThrottleMs: number;
  membershipCacheMs: number;
  membershipCacheEntries?: number;
  now?: () => number;
}

/**
 * The chat rules, whatever the transport: rooms and membership, messages
 * (stored first, then published on `chat:<roomId>`), typing signals and
 * presence events. Authorization is by membership, checked in the database
 * for writes and through a short cache for topic reads.
 */
export function createChatService(deps: ChatServiceDeps) {
  const { hub, presence, db, log } = deps;
  const now = deps.now ?? Date.now;
  const members = createMembershipCache(db.prisma, {
    ttlMs: deps.membershipCacheMs,
    maxEntries: deps.membershipCacheEntries,
    now,
  });
  // A leave on another instance: the cached "member" answer must not outlive it (up to membershipCacheMs).
  deps.onReadRevoked?.((userId, topic) => {
    if (topicKind(topic) === "chat") members.forget(topicId(topic), userId);
  });
  /** Last typing signal per user and room. */
  const lastTyping = new Map<string, number>();

  function publish<T extends ChatEvent["type"]>(roomId: string, type: T, payload: Extract<ChatEvent, { type: T }>["payload"]) {
    return hub.publish(chatTopic(roomId), type, payload);
  }

  /** Refuses with `not_found` for an unknown room, `forbidden` for a non-member (checked in the database). */
  async function assertMember(user: User, roomId: string) {
    if (await isMember(db.prisma, roomId, user.id)) return;
    if (!(await findRoom(db.prisma, roomId))) throw new ProtocolError("not_found", `No room ${roomId}`);
    throw new ProtocolError("forbidden", `Join ${roomId} first`);
  }

  /** For a message command: the message if the user wrote it and may still post where it is. */
  async function ownMessage(user: User, messageId: string) {
    const message = await findMessage(db.prisma, messageId);
    if (!message || message.deletedAt) throw new ProtocolError("not_found", "No such message");
    if (message.authorId !== user.id) throw new ProtocolError("forbidden", "Only the author can change a message");
    await assertMember(user, message.roomId);
    return message;
  }

  const service = {
    /** The lobby always exists. */
    async ensureLobby() {
      await ensureRoom(db.prisma, LOBBY_ROOM);
    },

    /** Topic read rule for `chat:<id>`: members only. */
    canRead(user: User, roomId: string): Promise<boolean> | boolean {
      return ROOM_ID_PATTERN.test(roomId) && members.isMember(roomId, user.id);
    },

    async createRoom(user: User, name: string): Promise<CommandResultOf<"chat.createRoom">> {
      const id = roomIdFromName(name);
      const room = await createRoom(db.prisma, { id, name, createdById: user.id });
      if (!room) throw new ProtocolError("conflict", `A room named like "${name}" already exists`, { issues: [{ path: ["payload", "name"], message: "Name taken" }] });
      members.remember(id, user.id, true);
      await publish(id, CHAT_EVENTS.memberJoined, { user: { id: user.id, name: user.name } });
      return { room: roomToWire(room) };
    },

    async join(user: User, roomId: string): Promise<CommandResultOf<"chat.join">> {
      if (!(await findRoom(db.prisma, roomId))) throw new ProtocolError("not_found", `No room ${roomId}`);
      const joined = await joinRoom(db.prisma, roomId, user.id);
      members.remember(roomId, user.id, true);
      if (joined) await publish(roomId, CHAT_EVENTS.memberJoined, { user: { id: user.id, name: user.name } });
      const room = await findRoomSummary(db.prisma, roomId, user.id);
      if (!room) throw new ProtocolError("not_found", `No room ${roomId}`);
      return { room: roomToWire(room) };
    },

    async leave(user: User, roomId: string): Promise<CommandResultOf<"chat.leave">> {
      if (!(await findRoom(db.prisma, roomId))) throw new ProtocolError("not_found", `No room ${roomId}`);
      const left = await leaveRoom(db.prisma, roomId, user.id);
      members.remember(roomId, user.id, false);
      if (left) {
        const topic = chatTopic(roomId);
        await publish(roomId, CHAT_EVENTS.memberLeft, { user: { id: user.id, name: user.name } });
        // Publishes presence.left if they were reading; then their open streams stop following the room.
        presence.drop(user, topic);
        deps.revokeRead(user.id, topic);
      }
      return { roomId };
    },

    async send(user: User, commandId: string, roomId: string, text: string): Promise<CommandResultOf<"chat.send">> {
      await assertMember(user, roomId);
      // The command id makes the insert idempotent even without the dispatcher's receipt
      // (a crash between the two, or the same retry reaching two instances).
      const { message, created } = await createMessage(db.prisma, { roomId, authorId: user.id, text, commandId });
      // The id already names another message (another room, other text): a client bug or a
      // replay. Publishing it here would show room A's message to room B's members (F17).
      if (!created && (message.roomId !== roomId || (message.text !== text && !message.editedAt && !message.deletedAt))) {
        throw new ProtocolError("conflict", "This command id was already used for another message", {
          issues: [{ path: ["id"], message: "Use a new command id for a new message" }],
        });
      }
      const wire = messageToWire(message);
      // Publish even when the row already existed: then the first attempt may have died
      // between insert and publish, and a second event is harmless (clients keep messages by id).
      await publish(roomId, CHAT_EVENTS.messageCreated, { message: wire });
      // Again on a retry: what it produces is unique per (user, message), so nothing doubles.
      await deps.announce?.("chat.messagePosted", { message: wire, edited: false });
      return { message: wire };
    },

    async edit(user: User, messageId: string, text: string): Promise<CommandResultOf<"chat.edit">> {
      await ownMessage(user, messageId);
      const edited = await editMessage(db.prisma, { id: messageId, authorId: user.id, text });
      if (!edited) throw new ProtocolError("not_found", "No such message");
      const wire = messageToWire(edited);
      await publish(edited.roomId, CHAT_EVENTS.messageEdited, { message: wire });
      await deps.announce?.("chat.messagePosted", { message: wire, edited: true });
      return { message: wire };
    },

    async delete(user: User, messageId: string): Promise<CommandResultOf<"chat.delete">> {
      const message = await ownMessage(user, messageId);
      if (!(await deleteMessage(db.prisma, { id: messageId, authorId: user.id }))) {
        throw new ProtocolError("not_found", "No such message");
      }
      await publish(message.roomId, CHAT_EVENTS.messageDeleted, { messageId });
      await deps.announce?.("chat.messageDeleted", { messageId, roomId: message.roomId });
      return { messageId };
    },

    /** At most one signal per user and room per throttle window; the rest are absorbed (still `{}`). */
    async typing(user: User, roomId: string): Promise<CommandResultOf<"chat.typing">> {
      if (!(await service.canRead(user, roomId))) {
        throw new ProtocolError("forbidden", `Join ${roomId} first`);
      }
      const key = `${user.id}\u0000${roomId}`;
      const t = now();
      const last = lastTyping.get(key);
      if (last !== undefined && t - last < deps.typingThrottleMs) return {};
      if (lastTyping.size >= 10_000) {
        for (const [k, at] of lastTyping) if (t - at >= deps.typingThrottleMs) lastTyping.delete(k);
      }
      lastTyping.set(key, t);
      const payload: TypingSignal = { user: { id: user.id, name: user.name } };
      await hub.signal(chatTopic(roomId), CHAT_SIGNALS.typing, payload);
      return {};
    },

    // ---- reads

    /** One directory page (bounded whatever the table holds, F9). */
    async rooms(user: User, query: { after?: string; limit: number; q?: string }): Promise<ChatRoomsResponse> {
      const page = await listRooms(db.prisma, user.id, {
        limit: query.limit,
        after: query.after === undefined ? undefined : decodeRoomsCursor(query.after),
        search: query.q || undefined,
      });
      return { rooms: page.rooms.map(roomToWire), nextCursor: page.next ? encodeRoomsCursor(page.next) : null };
    },

    async history(user: User, roomId: string, query: { before?: string; limit: number }): Promise<ChatHistoryResponse> {
      await assertMember(user, roomId);
      // The position first, then the page: whatever the page misses was published after
      // the position, so the subscription from it delivers it (maybe twice: de-duplicate by id).
      const head = await hub.head(chatTopic(roomId));
      let before: { id: string; createdAt: Date } | undefined;
      if (query.before !== undefined) {
        const anchor = await findMessage(db.prisma, query.before);
        if (!anchor || anchor.roomId !== roomId) throw new ProtocolError("not_found", "No such message in this room");
        before = { id: anchor.id, createdAt: anchor.createdAt };
      }
      const page = await listMessages(db.prisma, roomId, { before, limit: query.limit });
      return {
        messages: page.messages.map(messageToWire),
        hasMore: page.hasMore,
        position: { epoch: head.epoch, offset: head.offset },
      };
    },

    async presence(user: User, roomId: string): Promise<User[]> {
      await assertMember(user, roomId);
      return presence.listAll(chatTopic(roomId));
    },

    /** Publishes presence changes of chat topics as events; returns the stop. */
    trackPresence(): () => void {
      presence.track("chat");
      return presence.onChange(({ topic, user, present }) => {
        if (!topic.startsWith("chat:")) return;
        const type = present ? CHAT_EVENTS.presenceJoined : CHAT_EVENTS.presenceLeft;
        hub.publish(topic, type, { user: { id: user.id, name: user.name } }).catch((error: unknown) => {
          log.error({ err: error, topic }, "could not publish a presence change");
        });
      });
    },

    close() {
      members.clear();
      lastTyping.clear();
    },
  };
  return service;
}

export type ChatService = ReturnType<typeof createChatService>;
