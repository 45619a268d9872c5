import {
  ChatHistoryQuery,
  ChatRoomParams,
  ChatRoomsQuery,
  chatRoutes,
  parseOrThrow,
  type ChatHistoryResponse,
  type ChatPresenceResponse,
  type ChatRoomsResponse,
} from "@repo/protocol";
import type { FastifyInstance } from "fastify";
import { noStore } from "../../http/no-store";
import { requireUser } from "../../http/request-auth";
import type { Auth } from "../../auth/auth";
import type { ChatService } from "./chat-service";

/**
 * The chat reads, as plain GETs (any transport's client uses them):
 *   GET /v1/chat/rooms?after&limit&q                a directory page
 *   GET /v1/chat/rooms/:roomId/messages?before&limit  a history page + the topic position
 *   GET /v1/chat/rooms/:roomId/presence             who is reading now
 * Room reads are for members only (403), an unknown room is 404.
 */
export function registerChatRoutes(app: FastifyInstance, auth: Auth, chat: ChatService) {
  app.get(chatRoutes.rooms, async (request, reply) => {
    const user = await requireUser(auth, request);
    const query = parseOrThrow(ChatRoomsQuery, request.query, "rooms query");
    noStore(reply);
    const body: ChatRoomsResponse = await chat.rooms(user, query);
    return body;
  });

  app.get(chatRoutes.messages, async (request, reply) => {
    const user = await requireUser(auth, request);
    const { roomId } = parseOrThrow(ChatRoomParams, request.params, "room id");
    const query = parseOrThrow(ChatHistoryQuery, request.query, "history query");
    noStore(reply);
    const body: ChatHistoryResponse = await chat.history(user, roomId, query);
    return body;
  });

  app.get(chatRoutes.presence, async (request, reply) => {
    const user = await requireUser(auth, request);
    const { roomId } = parseOrThrow(ChatRoomParams, request.params, "room id");
    noStore(reply);
    const body: ChatPresenceResponse = { users: await chat.presence(user, roomId) };
    return body;
  });
}
