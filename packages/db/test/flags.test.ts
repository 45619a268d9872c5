import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listFlagChanges, readStoredFlags, saveFlagDefinitions, storedFlagsEtag, type Database } from "../src/index";
import { type Engine, engineCases } from "./engines";

const cases = await engineCases();

describe.each(cases)("saved flag definitions on $name", ({ make, skip }) => {
  if (skip) {
    it.skip(`skipped: ${skip}`, () => {});
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

  const change = (definitions: string, etag: string, expectedEtag: string, before: string) => ({
    definitions,
    etag,
    expectedEtag,
    actor: "operator",
    reason: `to ${etag}`,
    before,
    flagsChanged: ["transport.chat"],
  });

  it("saves once per version: a save from a stale etag is a conflict and writes nothing; the log keeps every change, newest first", async () => {
    expect(await readStoredFlags(db.prisma)).toBeNull();
    expect(await saveFlagDefinitions(db.prisma, change('{"v":1}', "e1", "file", "{}"))).toBe("saved");
    expect(await storedFlagsEtag(db.prisma)).toBe("e1");
    // Two instances edited the same version: the second loses.
    expect(await saveFlagDefinitions(db.prisma, change('{"v":2}', "e2", "e1", '{"v":1}'))).toBe("saved");
    expect(await saveFlagDefinitions(db.prisma, change('{"v":3}', "e3", "e1", '{"v":1}'))).toBe("conflict");
    expect(await readStoredFlags(db.prisma)).toMatchObject({ definitions: '{"v":2}', etag: "e2", updatedBy: "operator" });
    const log = await listFlagChanges(db.prisma, { limit: 10 });
    expect(log.map((entry) => [entry.reason, entry.before, entry.after, entry.flagsChanged])).toEqual([
      ["to e2", '{"v":1}', '{"v":2}', ["transport.chat"]],
      ["to e1", "{}", '{"v":1}', ["transport.chat"]],
    ]);
    expect(await listFlagChanges(db.prisma, { limit: 10, before: log[0]!.id })).toHaveLength(1);
  });
});
