// The notifications integration harness: the chat and notifications features on a
// real service over a real engine (PGlite on disk, PostgreSQL), restartable on the
// same data, with guests that speak HTTP (from the chat harness) and the operator.
import type { Database } from "@repo/db";
import type { Engine } from "@repo/db/testing";
import {
  NotificationsResponse,
  notificationsPaths,
  notifyTopic,
  type ChatRoom,
  type Notification,
} from "@repo/protocol";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { chatFeature } from "../../../src/features/chat/chat-feature";
import { notificationsFeature } from "../../../src/features/notifications/notifications-feature";
import { createServer, type RealtimeServer } from "../../../src/server";
import { ALLOWED_ORIGIN, RELAXED_ADDRESS_LIMITS } from "../../support/start-server";
import { chatEngines, person, waitFor, type Person } from "../../chat/support/chat-harness";

export const OPERATOR_TOKEN = "operator-token-for-tests-0123456789abcdef";

export interface NotifyHarness {
  server: RealtimeServer;
  db: Database;
  baseUrl: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startNotifyServer(engine: Engine, options: { operatorToken?: string } = {}): Promise<NotifyHarness> {
  async function boot() {
    const db = await engine.open();
    const server = await createServer({
      db,
      logger: { level: "silent" },
      config: {
        allowedOrigins: [ALLOWED_ORIGIN],
        longPollTimeoutMs: 2000,
        longPollLingerMs: 10,
        commandLimits: { points: 100_000, windowSeconds: 10 },
        commandRequestLimits: { points: 100_000, windowSeconds: 10 },
        connectionLimits: { perUser: 16, perIp: 10_000 },
        addressLimits: RELAXED_ADDRESS_LIMITS,
      },
      features: [
        chatFeature({ sendLimit: { points: 10_000, windowSeconds: 10 } }),
        notificationsFeature({ operatorToken: options.operatorToken, retentionIntervalMs: 0 }),
      ],
    });
    return { db, server, baseUrl: await server.listen({ port: 0 }) };
  }
  let current = await boot();
  const harness: NotifyHarness = {
    ...current,
    async restart() {
      await current.server.close();
      await current.db.close();
      current = await boot();
      Object.assign(harness, current);
    },
    async stop() {
      await current.server.close();
      await current.db.close();
    },
  };
  return harness;
}

export interface NotifySuite {
  engine: Engine;
  service: NotifyHarness;
  ada: Person;
  bob: Person;
  carol: Person;
}

/** `describe.each` over PGlite on disk and PostgreSQL, with Ada, Bob and Carol signed in. */
export async function describeOnNotifyEngines(
  title: string,
  body: (suite: NotifySuite) => void,
  options: { operatorToken?: string } = { operatorToken: OPERATOR_TOKEN },
): Promise<void> {
  const engines = await chatEngines();
  describe.each(engines)(title, ({ make, skip }) => {
    if (skip) {
      test.skip(`skipped: ${skip}`, () => {});
      return;
    }
    const suite = {} as NotifySuite;
    beforeAll(async () => {
      suite.engine = await make();
      suite.service = await startNotifyServer(suite.engine, options);
      suite.ada = await person(suite.service, "Ada");
      suite.bob = await person(suite.service, "Bob");
      suite.carol = await person(suite.service, "Carol");
    });
    afterAll(async () => {
      await suite.service?.stop();
      await suite.engine?.teardown();
    });
    body(suite);
  });
}

let rooms = 0;
/** A fresh room created by `owner`, joined by the others. */
export async function room(owner: Person, ...others: Person[]): Promise<ChatRoom> {
  const { room } = await owner.ok<{ room: ChatRoom }>("chat.createRoom", { name: `Notify room ${++rooms} ${Date.now()}` });
  for (const other of others) await other.ok("chat.join", { roomId: room.id });
  return room;
}

/** GET /v1/notifications (parsed, must be 200). */
export async function notificationsOf(who: Person, query = ""): Promise<NotificationsResponse> {
  const { status, body } = await who.get<unknown>(`${notificationsPaths.list}${query}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return NotificationsResponse.parse(body);
}

/** The user's mention notifications of one room, newest first. */
export async function mentionsIn(who: Person, roomId: string): Promise<Array<Extract<Notification, { kind: "mention" }>>> {
  const page = await notificationsOf(who, "?limit=50");
  return page.notifications.filter((n): n is Extract<Notification, { kind: "mention" }> => n.kind === "mention" && n.roomId === roomId);
}

/** A cursor on the user's own topic from a list's position (no gap, no duplicate). */
export function ownCursor(who: Person, page: NotificationsResponse): string {
  return `${notifyTopic(who.user.id)}@${page.positions.user.epoch}.${page.positions.user.offset}`;
}

/** POST /v1/notifications/broadcast with the given authorization header (or none). */
export async function broadcast(baseUrl: string, authorization: string | undefined, body: unknown = { title: "Maintenance", body: "Back in 5 minutes" }) {
  const response = await fetch(`${baseUrl}${notificationsPaths.broadcast}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(authorization === undefined ? {} : { authorization }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()), headers: response.headers };
}

export { person, waitFor, type Person };
