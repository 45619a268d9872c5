import { describe, expect, it } from "vitest";
import { parseOptions, USAGE, type BenchOptions } from "../src/options";

function parse(argv: string[]): BenchOptions {
  const options = parseOptions(argv);
  if (options === "help") throw new Error("unexpected --help");
  return options;
}

describe("bench options: docs/benchmark.md", () => {
  it("is left alone unless --docs is given, whatever the run", () => {
    expect(parse([]).docs).toBe(false);
    expect(parse(["--quick"]).docs).toBe(false);
    expect(parse(["--transports", "none", "--flood", "session"]).docs).toBe(false);
  });

  it("is written with --docs", () => {
    expect(parse(["--docs"]).docs).toBe(true);
  });

  it("rejects the old --no-docs, and --help says so", () => {
    expect(() => parseOptions(["--no-docs"])).toThrow(/no-docs/);
    expect(USAGE).toContain("--docs");
    expect(USAGE).not.toContain("--no-docs");
  });
});

describe("bench options: Redis rows", () => {
  it("are off by default, so the default run and --quick stay as they were", () => {
    expect(parse([]).redis).toBeUndefined();
    expect(parse(["--quick"]).redis).toBeUndefined();
  });

  it("run with --redis (the local Redis) or at the Redis --redis-url names", () => {
    expect(parse(["--redis"]).redis).toBe("redis://127.0.0.1:6379");
    expect(parse(["--redis-url", "redis://10.1.2.3:6380"]).redis).toBe("redis://10.1.2.3:6380");
    expect(USAGE).toContain("--redis");
  });
});
