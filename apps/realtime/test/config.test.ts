// The environment rules (F6 fail-closed secret, F19 Secure cookie default, F8, F5, F20, F21 knobs).
import { describe, expect, test } from "vitest";
import { configFromEnv, defaultConfig } from "../src/config";
import { DEV_SESSION_SECRET, readEnv } from "../src/env";

const SECRET = "a-real-secret-of-at-least-thirty-two-characters";
const configOf = (env: Record<string, string>) => configFromEnv(readEnv(env));

describe("SESSION_SECRET fails closed (F6)", () => {
  test.each([["unset", {}], ["production", { NODE_ENV: "production" }]])(
    "with NODE_ENV %s and no secret the service refuses to start",
    (_name, env: Record<string, string>) => {
      expect(() => readEnv(env)).toThrow(/SESSION_SECRET must be set .*unless NODE_ENV is development or test/);
    },
  );

  test("the public development secret is refused outside development and test, even when set explicitly", () => {
    expect(() => readEnv({ SESSION_SECRET: DEV_SESSION_SECRET })).toThrow(/SESSION_SECRET must be set/);
    expect(() => readEnv({ NODE_ENV: "production", SESSION_SECRET: DEV_SESSION_SECRET })).toThrow(/SESSION_SECRET/);
  });

  test.each(["development", "test"])("with NODE_ENV=%s the public development secret is used", (NODE_ENV) => {
    const env = readEnv({ NODE_ENV });
    expect(env.SESSION_SECRET).toBe(DEV_SESSION_SECRET);
    expect(env.NODE_ENV).toBe(NODE_ENV);
  });

  test("an unset NODE_ENV counts as production once a secret is given", () => {
    const env = readEnv({ SESSION_SECRET: SECRET });
    expect(env.NODE_ENV).toBe("production");
    expect(env.SESSION_SECRET).toBe(SECRET);
  });

  test("a short secret is refused everywhere", () => {
    expect(() => readEnv({ NODE_ENV: "development", SESSION_SECRET: "short" })).toThrow(/at least 32 characters/);
  });
});

describe("COOKIE_SECURE default (F19)", () => {
  test.each([
    ["production", { NODE_ENV: "production", SESSION_SECRET: SECRET }, true],
    ["NODE_ENV unset (production)", { SESSION_SECRET: SECRET, ALLOWED_ORIGINS: "http://localhost:3000" }, true],
    ["development over http", { NODE_ENV: "development" }, false],
    ["development, every origin https", { NODE_ENV: "development", ALLOWED_ORIGINS: "https://a.example,https://b.example" }, true],
    ["development, one origin http", { NODE_ENV: "development", ALLOWED_ORIGINS: "https://a.example,http://localhost:3000" }, false],
    ["explicit false in production", { NODE_ENV: "production", SESSION_SECRET: SECRET, COOKIE_SECURE: "false" }, false],
    ["explicit true in development", { NODE_ENV: "development", COOKIE_SECURE: "true" }, true],
  ])("%s", (_name, env: Record<string, string>, secure) => {
    expect(configOf(env).cookieSecure).toBe(secure);
  });
});

describe("process knobs", () => {
  test("defaults match defaultConfig", () => {
    const config = configOf({ NODE_ENV: "test" });
    expect(config.requestTimeoutMs).toBe(30_000);
    expect(config.trustProxy).toBe(false);
    expect(config.metricsToken).toBeUndefined();
    expect(config.purge).toEqual({ intervalMs: 3600_000, receiptRetentionDays: 7, sessionRetentionDays: 30 });
    expect(defaultConfig.requestTimeoutMs).toBe(config.requestTimeoutMs);
    expect(defaultConfig.purge).toEqual(config.purge);
  });

  test("REDIS_KEY_PREFIX: sb: by default, settable, and never a pattern or an empty string", () => {
    expect(configOf({ NODE_ENV: "test" }).redisKeyPrefix).toBe("sb:");
    expect(defaultConfig.redisKeyPrefix).toBe("sb:");
    expect(configOf({ NODE_ENV: "test", REDIS_KEY_PREFIX: "staging:sb:" }).redisKeyPrefix).toBe("staging:sb:");
    for (const bad of ["", "sb*", "has space", "x".repeat(65)]) {
      expect(() => readEnv({ NODE_ENV: "test", REDIS_KEY_PREFIX: bad }), bad).toThrow(/REDIS_KEY_PREFIX/);
    }
  });

  test("REQUEST_TIMEOUT_MS cannot be 0 (no bound)", () => {
    expect(() => readEnv({ NODE_ENV: "test", REQUEST_TIMEOUT_MS: "0" })).toThrow(/REQUEST_TIMEOUT_MS/);
    expect(configOf({ NODE_ENV: "test", REQUEST_TIMEOUT_MS: "5000" }).requestTimeoutMs).toBe(5000);
  });

  test.each([
    ["false", false],
    ["true", true],
    ["2", 2],
    ["127.0.0.1", ["127.0.0.1"]],
    ["10.0.0.0/8, ::1 ,fd00::/8", ["10.0.0.0/8", "::1", "fd00::/8"]],
  ])("TRUST_PROXY=%s", (value, expected) => {
    expect(configOf({ NODE_ENV: "test", TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  test.each(["proxy.internal", "10.0.0.0/33", "1.2.3.4/8/9", "yes"])("TRUST_PROXY=%s is refused", (value) => {
    expect(() => readEnv({ NODE_ENV: "test", TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
  });

  test("METRICS_TOKEN must not be trivially short", () => {
    expect(() => readEnv({ NODE_ENV: "test", METRICS_TOKEN: "abc" })).toThrow(/METRICS_TOKEN/);
    expect(configOf({ NODE_ENV: "test", METRICS_TOKEN: "0123456789abcdef" }).metricsToken).toBe("0123456789abcdef");
  });

  test("the purge can be tuned or turned off", () => {
    expect(
      configOf({ NODE_ENV: "test", PURGE_INTERVAL_MS: "0", RECEIPT_RETENTION_DAYS: "1", SESSION_RETENTION_DAYS: "2.5" }).purge,
    ).toEqual({ intervalMs: 0, receiptRetentionDays: 1, sessionRetentionDays: 2.5 });
  });
});
