// F21: the purge job deletes old receipts, ended sessions and abandoned guests, in batches,
// on PGlite and (when reachable, always in CI) PostgreSQL.
import { createDatabase, type Database } from "@repo/db";
import { engineCases, type Engine } from "@repo/db/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startPurgeJob } from "../src/maintenance/purge-job";
import { createServer } from "../src/server";

const DAY = 24 * 3600 * 1000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
const retention = { intervalMs: 0, receiptRetentionDays: 7, sessionRetentionDays: 30 };
const silent = pino({ level: "silent" });

/** A mixed population: what must go and what must stay. */
async function seed(db: Database) {
  const p = db.prisma;
  const user = (name: string, createdDaysAgo: number) => p.user.create({ data: { name, createdAt: ago(createdDaysAgo) } });
  const abandoned = await user("abandoned", 90);
  const active = await user("active", 90);
  const expiredLongAgo = await user("expired long ago", 90);
  const member = await user("member", 90);
  const author = await user("author", 90);
  const signingIn = await user("signing in right now", 0);
  const recentlyEnded = await user("recently ended", 90);
  const player = await user("player", 90);

  await p.session.create({ data: { userId: active.id, expiresAt: new Date(Date.now() + DAY) } });
  await p.session.create({ data: { userId: expiredLongAgo.id, expiresAt: ago(31) } });
  await p.session.create({ data: { userId: member.id, expiresAt: new Date(Date.now() + DAY), revokedAt: ago(31) } });
  await p.session.create({ data: { userId: recentlyEnded.id, expiresAt: ago(10) } });
  await p.session.create({ data: { userId: recentlyEnded.id, expiresAt: new Date(Date.now() + DAY), revokedAt: ago(10) } });

  const room = await p.chatRoom.create({ data: { id: `room-${active.id}`, name: "Room", createdById: abandoned.id } });
  await p.chatMembership.create({ data: { roomId: room.id, userId: member.id } });
  await p.chatMessage.create({ data: { roomId: room.id, authorId: author.id, text: "hello" } });
  // The author left the room (no membership), and has no session: the message keeps the user.
  // A seat in a stored game keeps its user too (the leaderboard counts it).
  await p.game.create({
    data: {
      id: `game-${active.id.slice(-7)}`,
      config: {},
      inputLog: [],
      scores: [1, 0],
      winnerSeat: 0,
      ticks: 10,
      stateHash: "h",
      startedAt: ago(2),
      players: { create: [{ seat: 0, kind: "human", userId: player.id, score: 1, won: true }] },
    },
  });

  const receipt = (id: string, daysAgo: number) =>
    p.commandReceipt.create({ data: { userId: active.id, id, type: "echo", result: { ok: true }, createdAt: ago(daysAgo) } });
  for (let i = 0; i < 5; i++) await receipt(`old-receipt-${i}`, 8);
  await receipt("fresh-receipt", 1);

  return { abandoned, active, expiredLongAgo, member, author, signingIn, recentlyEnded, room, player };
}

const cases = await engineCases();

describe.each(cases)("purge on $name", ({ make, skip }) => {
  if (skip) {
    test.skip(`skipped: ${skip}`, () => {});
    return;
  }
  let engine: Engine;
  let db: Database;
  beforeAll(async () => {
    engine = await make();
    db = await engine.open();
  });
  afterAll(async () => {
    await db?.close();
    await engine?.teardown();
  });

  test("deletes what is past retention, batch by batch, and nothing else", async () => {
    const seeded = await seed(db);
    // Batches of 2: five old receipts take three statements.
    const job = startPurgeJob({ db, config: retention, log: silent, batch: 2 });
    expect(await job.runOnce()).toEqual({ receipts: 5, sessions: 2, guests: 2 });

    const p = db.prisma;
    expect((await p.commandReceipt.findMany({ orderBy: { id: "asc" } })).map((r) => r.id)).toEqual(["fresh-receipt"]);
    const users = (await p.user.findMany()).map((u) => u.name).sort();
    expect(users).toEqual(["active", "author", "member", "player", "recently ended", "signing in right now"].sort());
    expect(await p.session.count({ where: { userId: seeded.recentlyEnded.id } })).toBe(2);
    expect(await p.session.count({ where: { userId: seeded.member.id } })).toBe(0);
    expect(await p.session.count({ where: { userId: seeded.active.id } })).toBe(1);
    // The room outlives its abandoned creator.
    expect(await p.chatRoom.findUnique({ where: { id: seeded.room.id } })).toMatchObject({ createdById: null });

    // A second run finds nothing more.
    expect(await job.runOnce()).toEqual({ receipts: 0, sessions: 0, guests: 0 });
    await job.stop();
  });
});

describe("the purge job in the service", () => {
  let db: Database;
  beforeAll(async () => {
    db = await createDatabase({ pgliteDir: "memory" });
  });
  afterAll(async () => {
    await db.close();
  });

  test("createServer starts it on its interval and logs counts; close() stops it", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const user = await db.prisma.user.create({ data: { name: "kept", createdAt: ago(1) } });
    await db.prisma.session.create({ data: { userId: user.id, expiresAt: new Date(Date.now() + DAY) } });
    const oldReceipt = (id: string) =>
      db.prisma.commandReceipt.create({ data: { userId: user.id, id, type: "echo", result: {}, createdAt: ago(8) } });
    const purgeLines = () => lines.map((l) => JSON.parse(l) as { msg: string; receipts?: number }).filter((l) => l.msg === "purged old rows");

    // createServer itself (not startServer): the test reads the service's own log lines.
    const server = await createServer({ db, config: { purge: { ...retention, intervalMs: 100 } }, logger });
    await oldReceipt("first-old");
    await waitUntil(async () => (await db.prisma.commandReceipt.count()) === 0);
    // It keeps running on its interval.
    await oldReceipt("second-old");
    await waitUntil(async () => (await db.prisma.commandReceipt.count()) === 0);
    expect(purgeLines().some((l) => l.receipts === 1)).toBe(true);

    await server.close();
    const runsAtClose = purgeLines().length;
    await oldReceipt("after-close");
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await db.prisma.commandReceipt.count()).toBe(1);
    expect(purgeLines().length).toBe(runsAtClose);
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
