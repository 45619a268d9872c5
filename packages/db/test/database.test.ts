import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createGuestUser,
  createSession,
  type Database,
  findActiveSession,
  findActiveSessionIds,
  findActiveSessionOwners,
  findReceipt,
  findUser,
  revokeSession,
  saveReceipt,
} from "../src/index";
import { type Engine, engineCases } from "./engines";

const cases = await engineCases();
const HOUR = 3600_000;

describe.each(cases)("createDatabase on $name", ({ make, skip }) => {
  if (skip) {
    it.skip(`skipped: ${skip}`, () => {});
    return;
  }
  let engine: Engine;
  let db: Database;
  const logs: string[] = [];
  beforeAll(async () => {
    engine = await make();
    db = await engine.open({ log: (line) => logs.push(line) });
  });
  afterAll(async () => {
    await db?.close();
    await engine?.teardown();
  });

  it("opens the right engine, migrated, and answers ping", async () => {
    expect(db.kind).toBe(engine.name.startsWith("pglite") ? "pglite" : "postgres");
    expect(logs.some((line) => /1 migration\(s\) applied|migration\(s\) applied, 0 already/.test(line))).toBe(true);
    expect(await db.ping()).toBe(true);
  });

  it("creates and finds users", async () => {
    const user = await createGuestUser(db.prisma, "Ada");
    expect(user).toMatchObject({ name: "Ada" });
    expect(await findUser(db.prisma, user.id)).toEqual(user);
    expect(await findUser(db.prisma, "no-such-user")).toBeNull();
  });

  it("creates, finds and revokes sessions; expired ones are not active", async () => {
    const user = await createGuestUser(db.prisma, "Grace");
    const expiresAt = new Date(Date.now() + HOUR);
    const session = await createSession(db.prisma, user.id, expiresAt);
    // Round-trips exactly, whatever the server's time zone.
    expect(session.expiresAt.toISOString()).toBe(expiresAt.toISOString());
    const found = await findActiveSession(db.prisma, session.id, user.id);
    // A live session id presented for another user (a forged `sub`) is not active.
    const other = await createGuestUser(db.prisma, "Mallory");
    expect(await findActiveSession(db.prisma, session.id, other.id)).toBeNull();
    expect(found?.expiresAt.toISOString()).toBe(expiresAt.toISOString());
    expect(found).toMatchObject({ id: session.id, userId: user.id, revokedAt: null });
    expect(Math.abs(found!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    // The stored instant is right too, not just the round trip (see the UTC pin in client.ts).
    const [stored] = await db.prisma.$queryRaw<{ ms: number }[]>`
      SELECT (extract(epoch FROM expires_at) * 1000)::float8 AS ms FROM sessions WHERE id = ${session.id}`;
    expect(stored?.ms).toBe(expiresAt.getTime());

    expect(await revokeSession(db.prisma, session.id)).toBe(true);
    expect(await revokeSession(db.prisma, session.id)).toBe(false);
    expect(await findActiveSession(db.prisma, session.id, user.id)).toBeNull();
    expect(await revokeSession(db.prisma, "no-such-session")).toBe(false);

    const expired = await createSession(db.prisma, user.id, new Date(Date.now() - 1000));
    expect(await findActiveSession(db.prisma, expired.id, user.id)).toBeNull();
    const live = await createSession(db.prisma, user.id, expiresAt);
    expect(await findActiveSessionIds(db.prisma, [live.id, session.id, expired.id, "no-such-session"])).toEqual(new Set([live.id]));
    // A batch of token checks: only active sessions answer, each with its owner (repeats are one id).
    expect(await findActiveSessionOwners(db.prisma, [live.id, session.id, live.id, expired.id, "no-such-session"])).toEqual(new Map([[live.id, user.id]]));
  });

  it("saves one command receipt under a race; every caller gets the first row", async () => {
    const user = await createGuestUser(db.prisma, "Linus");
    const saves = Array.from({ length: 8 }, (_, i) =>
      saveReceipt(db.prisma, { userId: user.id, id: "cmd-1", type: "chat.send", result: { attempt: i } }),
    );
    const results = await Promise.all(saves);
    const first = results[0]!;
    for (const result of results) expect(result).toEqual(first);
    expect(await db.prisma.commandReceipt.count({ where: { userId: user.id } })).toBe(1);
    expect(await findReceipt(db.prisma, user.id, "cmd-1")).toEqual(first);

    // The same command id from another user is another command.
    const other = await createGuestUser(db.prisma, "Ken");
    expect(await findReceipt(db.prisma, other.id, "cmd-1")).toBeNull();
    const theirs = await saveReceipt(db.prisma, { userId: other.id, id: "cmd-1", type: "chat.send", result: ["x"] });
    expect(theirs.result).toEqual(["x"]);
  });

  it("saveReceipt works inside an interactive transaction, duplicate included", async () => {
    const user = await createGuestUser(db.prisma, "Barbara");
    await saveReceipt(db.prisma, { userId: user.id, id: "cmd-tx", type: "t", result: 1 });
    const inTx = await db.prisma.$transaction((tx) =>
      saveReceipt(tx, { userId: user.id, id: "cmd-tx", type: "t", result: 2 }),
    );
    expect(inTx.result).toBe(1);
  });

  it("keeps data across a reopen and re-migrating is a no-op", async () => {
    if (!engine.persistent) return;
    const user = await createGuestUser(db.prisma, "Edsger");
    await db.close();
    const reopenLogs: string[] = [];
    db = await engine.open({ log: (line) => reopenLogs.push(line) });
    expect(await findUser(db.prisma, user.id)).toMatchObject({ name: "Edsger" });
    expect(reopenLogs.some((line) => /0 migration\(s\) applied/.test(line))).toBe(true);
    expect(reopenLogs.some((line) => line.startsWith("applying migration"))).toBe(false);
  });

  it("closes idempotently; a closed database no longer pings", async () => {
    const second = await engine.open();
    expect(await second.ping()).toBe(true);
    await Promise.all([second.close(), second.close()]);
    expect(await second.ping()).toBe(false);
  });
});
