import { CommandResult, type ChatRoom, type User } from "@repo/protocol";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createDatabaseReceipts } from "../src/commands/database-receipts";
import { createCommandDispatcher } from "../src/commands/dispatcher";
import { chatFeature } from "../src/features/chat/chat-feature";
import { createFeatureEvents } from "../src/features/feature-events";
import { composeFeatures } from "../src/features/compose-features";
import { createLocalBus } from "../src/cluster/cluster-bus";
import { createAddressLimits } from "../src/limits/address-limits";
import { createMetrics } from "../src/observability/metrics";
import { RELAXED_ADDRESS_LIMITS, signIn, startServer, type RunningServer } from "./support/start-server";

// F9's write side: creating rooms (which everyone's directory lists) is limited per client
// address and for everyone together. Retries answered from their receipt are free.

vi.setConfig({ testTimeout: 90_000 });

let running: RunningServer;
beforeAll(async () => {
  running = await startServer({
    config: { commandLimits: { points: 1000, windowSeconds: 10 }, addressLimits: { "room:global": [{ points: 4, windowSeconds: 60 }] } },
  });
});
afterAll(async () => {
  await running.stop();
});

let n = 0;
const nextId = () => `room_${Date.now().toString(36)}_${n++}`;

describe("over HTTP", () => {
  test("the global room quota refuses with 429 + Retry-After and creates nothing; a retry of a created room is free", async () => {
    const { baseUrl, db } = running;
    const { token } = await signIn(baseUrl, "Ada");
    const create = (name: string, id = nextId()) =>
      fetch(`${baseUrl}/v1/commands`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ id, type: "chat.createRoom", payload: { name } }),
      });
    const firstId = nextId();
    expect((await create("Global one", firstId)).status).toBe(200);
    for (const name of ["Global two", "Global three", "Global four"]) expect((await create(name)).status).toBe(200);
    const before = await db.prisma.chatRoom.count();
    const refused = await create("Global five");
    expect(refused.status).toBe(429);
    const body = CommandResult.parse(await refused.json());
    expect(body).toMatchObject({ ok: false, error: { code: "rate_limited" } });
    if (!body.ok) expect(Number(refused.headers.get("retry-after"))).toBe(body.error.retryAfter);
    expect(await db.prisma.chatRoom.count()).toBe(before);
    // The first creation, retried: its receipt answers, no quota needed.
    const retry = CommandResult.parse(await (await create("Global one", firstId)).json());
    expect(retry).toMatchObject({ ok: true, result: { room: { id: "global-one" } } });
  });
});

describe("through the dispatcher, with the client address the transports pass", () => {
  test("each address has its own room budget", async () => {
    const { db, server } = running;
    const log = pino({ level: "silent" });
    const chat = composeFeatures([chatFeature()], (feature) => ({
      hub: server.hub,
      presence: server.presence,
      db,
      auth: server.auth,
      bus: createLocalBus(),
      addressLimits: createAddressLimits({ ...RELAXED_ADDRESS_LIMITS, room: [{ points: 2, windowSeconds: 60 }] }),
      events: createFeatureEvents(log),
      flags: server.flags,
      metrics: server.metrics.registry,
      log,
      config: feature.config,
      revokeRead: () => undefined,
      onReadRevoked: () => () => undefined,
      connectedUsers: () => [],
      clusterUsers: async () => [],
    }));
    const stops: Array<() => void> = [];
    for (const job of chat.jobs) stops.push(await job.start());
    try {
      const dispatcher = createCommandDispatcher({
        commands: chat.commands,
        receipts: createDatabaseReceipts(db),
        limits: { points: 1000, windowSeconds: 10 },
        requestLimits: { points: 1000, windowSeconds: 10 },
        metrics: createMetrics(),
        log,
      });
      const users: User[] = [];
      for (const name of ["Ip One", "Ip Two"]) users.push((await signIn(running.baseUrl, name)).user);
      const create = (user: User, name: string, ip: string) =>
        dispatcher.dispatch(user, { id: nextId(), type: "chat.createRoom", payload: { name } }, "websocket", undefined, ip);

      expect((await create(users[0]!, "Addr a1", "203.0.113.5")).ok).toBe(true);
      // Another user at the same address shares its budget.
      expect((await create(users[1]!, "Addr a2", "203.0.113.5")).ok).toBe(true);
      const refused = await create(users[0]!, "Addr a3", "203.0.113.5");
      expect(refused).toMatchObject({ ok: false, error: { code: "rate_limited" } });
      expect(await db.prisma.chatRoom.findUnique({ where: { id: "addr-a3" } })).toBeNull();
      // Another address has its own.
      const elsewhere = await create(users[0]!, "Addr b1", "198.51.100.9");
      expect(elsewhere.ok).toBe(true);
      expect(elsewhere.ok && (elsewhere.result as { room: ChatRoom }).room.id).toBe("addr-b1");
    } finally {
      for (const stop of stops) stop();
    }
  });
});
