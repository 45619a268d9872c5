import { createBroadcast, createDatabase, createGuestUser, createMentions, createMessage, ensureRoom, joinRoom } from "@repo/db";
import pino from "pino";
import { expect, test } from "vitest";
import { configFromEnv } from "../../src/config";
import { readEnv } from "../../src/env";
import { retentionJob } from "../../src/features/notifications/retention-job";

test("notifications and broadcasts expire after the retention; newer ones stay", async () => {
  const db = await createDatabase({ pgliteDir: "memory" });
  try {
    const ada = await createGuestUser(db.prisma, "Ada");
    const bob = await createGuestUser(db.prisma, "Bob");
    await ensureRoom(db.prisma, { id: "lobby", name: "Lobby" });
    await joinRoom(db.prisma, "lobby", bob.id);
    const { message } = await createMessage(db.prisma, { roomId: "lobby", authorId: ada.id, text: "@Bob" });
    await createMentions(db.prisma, { roomId: "lobby", messageId: message.id, actorId: ada.id, excerpt: "@Bob", userIds: [bob.id] });
    const old = await createBroadcast(db.prisma, { title: "old", body: "b" });
    await db.prisma.broadcastRead.create({ data: { userId: bob.id, broadcastId: old.id } });
    const job = retentionJob({ db, log: pino({ level: "silent" }), retentionDays: 30, intervalMs: 0 });

    expect(await job.runOnce(new Date(Date.now() + 29 * 24 * 3600_000))).toEqual({ notifications: 0, broadcasts: 0 });
    await createBroadcast(db.prisma, { title: "new", body: "b" });
    await db.prisma.broadcast.update({ where: { id: old.id }, data: { createdAt: new Date(Date.now() - 31 * 24 * 3600_000) } });
    expect(await job.runOnce()).toEqual({ notifications: 0, broadcasts: 1 });
    expect(await db.prisma.broadcastRead.count()).toBe(0);
    expect((await db.prisma.broadcast.findMany()).map((b) => b.title)).toEqual(["new"]);
    expect(await job.runOnce(new Date(Date.now() + 31 * 24 * 3600_000))).toEqual({ notifications: 1, broadcasts: 1 });
    // Off (interval 0): starting it schedules nothing, stopping is a no-op.
    const stop = await job.start();
    stop();
  } finally {
    await db.close();
  }
});

test("OPERATOR_TOKEN: optional, at least 32 characters, passed to the config", () => {
  expect(configFromEnv(readEnv({ NODE_ENV: "test" })).operatorToken).toBeUndefined();
  expect(() => readEnv({ NODE_ENV: "test", OPERATOR_TOKEN: "too-short" })).toThrow(/OPERATOR_TOKEN/);
  const token = "o".repeat(32);
  expect(configFromEnv(readEnv({ NODE_ENV: "test", OPERATOR_TOKEN: token })).operatorToken).toBe(token);
});
