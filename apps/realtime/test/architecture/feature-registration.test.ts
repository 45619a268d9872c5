import { createDatabase, type Database } from "@repo/db";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { defineFeature } from "../../src/features/feature";
import { echoFeature } from "../../src/features/echo/echo-feature";
import { createServer } from "../../src/server";

let db: Database;
beforeAll(async () => {
  db = await createDatabase({ pgliteDir: "memory" });
});
afterAll(async () => {
  await db.close();
});

const start = (features: Parameters<typeof createServer>[0]["features"]) => createServer({ db, logger: { level: "silent" }, features });

describe("registering features", () => {
  test("two features claiming one command type fail at start-up, naming both", async () => {
    const second = defineFeature({
      name: "second-echo",
      create: () => ({ commands: { echo: { run: () => Promise.resolve({ topic: "echo:x", offset: 1 }) } } }),
    });
    await expect(start([echoFeature(), second])).rejects.toThrow(/"echo" and "second-echo" both claim the command type "echo"/);
  });

  test("two features claiming one topic kind fail at start-up, naming both", async () => {
    const other = defineFeature({ name: "other-echo-reader", create: () => ({ topics: { echo: () => true } }) });
    await expect(start([echoFeature(), other])).rejects.toThrow(/"echo" and "other-echo-reader" both claim the topic kind "echo"/);
  });

  test("one feature registered twice fails too", async () => {
    await expect(start([echoFeature(), echoFeature()])).rejects.toThrow(/feature name "echo"/);
  });

  test("a feature gets one context: its own config and logger, and the shared services", async () => {
    let seen: unknown;
    const probe = defineFeature({
      name: "probe",
      config: { greeting: "hello" },
      create: (context) => {
        seen = { config: context.config, has: ["hub", "presence", "db", "auth", "log", "revokeRead"].filter((key) => key in context) };
        return {};
      },
    });
    const server = await start([probe]);
    await server.close();
    expect(seen).toEqual({ config: { greeting: "hello" }, has: ["hub", "presence", "db", "auth", "log", "revokeRead"] });
  });
});
