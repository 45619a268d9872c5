import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createDatabase } from "@repo/db";
import { describe, expect, test } from "vitest";
import { DEFAULT_FLAGS_FILE, FlagDefinitionError, readFlagDefinitions, validateFlagDefinitions } from "../../src/flags/flag-definitions";
import { createServer } from "../../src/server";
import { startService } from "../support/spawn-service";
import { defaultDefinitions, definitionsWith } from "./support";

describe("flag definitions", () => {
  test("the committed file is valid flagd and holds every flag the service reads", () => {
    expect(() => readFlagDefinitions(DEFAULT_FLAGS_FILE)).not.toThrow();
    expect(defaultDefinitions().$schema).toBe("https://flagd.dev/schema/v0/flags.json");
  });

  const refusals: Array<[string, string, RegExp]> = [
    ["not JSON", "{", /./],
    ["a state flagd does not know", definitionsWith({ "transport.default": { state: "ON", variants: { a: "websocket" }, defaultVariant: "a" } }), /\/flags\/transport\.default\/state: must be equal to one of the allowed values \(ENABLED, DISABLED\)/],
    ["an unknown targeting operator", definitionsWith({ x: { state: "ENABLED", variants: { a: 1 }, defaultVariant: "a", targeting: { nope: [1] } } }), /\/flags\/x\/targeting: .*\("nope"\)/],
    ["a transport flag with a transport that does not exist", definitionsWith({ "transport.default": { state: "ENABLED", variants: { a: "carrier-pigeon" }, defaultVariant: "a" } }), /\/flags\/transport\.default\/variants\/a: .*carrier-pigeon/],
    ["a number flag holding text", definitionsWith({ "game.tick-hz": { state: "ENABLED", variants: { a: "fast" }, defaultVariant: "a" } }), /\/flags\/game\.tick-hz\/variants\/a/],
    ["a tick rate out of range", definitionsWith({ "game.tick-hz": { state: "ENABLED", variants: { a: 500 }, defaultVariant: "a" } }), /\/flags\/game\.tick-hz\/variants\/a/],
    ["a flag the service reads, disabled", definitionsWith({ "polling.interval-ms": { state: "DISABLED", variants: { a: 1000 }, defaultVariant: "a" } }), /\/flags\/polling\.interval-ms\/state: .*must be ENABLED/],
  ];
  test.each(refusals)("refuses %s, naming the rule", (_what, json, rule) => {
    expect(() => validateFlagDefinitions(json)).toThrow(FlagDefinitionError);
    expect(() => validateFlagDefinitions(json)).toThrow(rule);
  });

  test("refuses a document that lacks a flag the service reads", () => {
    const document = defaultDefinitions();
    delete document.flags["transport.sse.enabled"];
    expect(() => validateFlagDefinitions(JSON.stringify(document))).toThrow(/\/flags\/transport\.sse\.enabled: the service reads this flag; it must be defined/);
  });

  test("createServer refuses invalid definitions, and the store keeps the old ones when a load is refused", async () => {
    const db = await createDatabase({ pgliteDir: "memory" });
    try {
      await expect(createServer({ db, logger: { level: "silent" }, flagDefinitions: "{}" })).rejects.toThrow(FlagDefinitionError);
      const server = await createServer({ db, logger: { level: "silent" } });
      try {
        const etag = server.flags.store.etag;
        expect(() => server.flags.store.load(definitionsWith({ "game.tick-hz": { state: "ENABLED", variants: { a: 99 }, defaultVariant: "a" } }))).toThrow(FlagDefinitionError);
        expect(server.flags.store.etag).toBe(etag);
        expect(await server.flags.gameTickHz()).toBe(15);
      } finally {
        await server.close();
      }
    } finally {
      await db.close();
    }
  });

  test("the service process will not start on an invalid FLAGS_FILE, and says which rule failed", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "switchboard-flags-"));
    try {
      const file = path.join(dir, "flags.json");
      await writeFile(file, definitionsWith({ "transport.default": { state: "ENABLED", variants: { a: "carrier-pigeon" }, defaultVariant: "a" } }));
      const service = startService({ env: { FLAGS_FILE: file } });
      expect(await service.exited).not.toBe(0);
      expect(service.output()).toContain("/flags/transport.default/variants/a");
      expect(service.output()).toContain(file);
      // The same file, valid: it starts.
      await writeFile(file, readFileSync(DEFAULT_FLAGS_FILE, "utf8"));
      const good = startService({ env: { FLAGS_FILE: file } });
      await good.baseUrl;
      good.child.kill("SIGTERM");
      await good.exited;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
