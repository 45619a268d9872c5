import {
  BroadcastRequest,
  NotificationsQuery,
  notificationsRoutes,
  parseOrThrow,
  type NotificationPreferencesResponse,
  type NotificationsResponse,
} from "@repo/protocol";
import type { FastifyInstance } from "fastify";
import type { Auth } from "../../auth/auth";
import { noStore } from "../../http/no-store";
import { requireUser } from "../../http/request-auth";
import type { NotificationsService } from "./notifications-service";
import { requireOperator } from "../../http/operator-auth";

/**
 *   GET  /v1/notifications?before&limit   a page, newest first, + unread count and positions
 *   GET  /v1/notifications/preferences    the user's preferences
 *   POST /v1/notifications/broadcast      the operator's broadcast (OPERATOR_TOKEN, never a session)
 */
export function registerNotificationsRoutes(
  app: FastifyInstance,
  deps: { auth: Auth; notifications: NotificationsService; operatorToken: string | undefined },
) {
  const { auth, notifications } = deps;

  app.get(notificationsRoutes.list, async (request, reply) => {
    const user = await requireUser(auth, request);
    const query = parseOrThrow(NotificationsQuery, request.query, "notifications query");
    noStore(reply);
    const body: NotificationsResponse = await notifications.list(user, query);
    return body;
  });

  app.get(notificationsRoutes.preferences, async (request, reply) => {
    const user = await requireUser(auth, request);
    noStore(reply);
    const body: NotificationPreferencesResponse = { preferences: await notifications.preferences(user) };
    return body;
  });

  app.post(notificationsRoutes.broadcast, async (request, reply) => {
    await requireOperator(request, reply, { token: deps.operatorToken });
    const input = parseOrThrow(BroadcastRequest, request.body, "broadcast");
    const body = await notifications.broadcast(input);
    return reply.code(201).header("cache-control", "no-store").send(body);
  });
}
