// The chat integration harness: a real service on a free port over a real
// database engine (PGlite on disk, PostgreSQL in a fresh database), restartable
// on the same data, and HTTP helpers that speak the protocol at the wire.
import { randomBytes } from "node:crypto";
import type { Database } from "@repo/db";
import { engineCases, type Engine, type EngineCase } from "@repo/db/testing";
import { CommandResult, type ErrorBody } from "@repo/protocol";
import { afterAll, beforeAll, describe, test } from "vitest";
import { chatFeature, type ChatOptions } from "../../../src/features/chat/chat-feature";
import { createServer, type RealtimeServer, type ServerDeps } from "../../../src/server";
import { ALLOWED_ORIGIN, RELAXED_ADDRESS_LIMITS, signIn } from "../../support/start-server";

/**
 * PGlite on disk (so a restart finds the data) and PostgreSQL. PostgreSQL is
 * skipped with a message when unreachable, and fails the suite under CI.
 */
export async function chatEngines(): Promise<EngineCase[]> {
  const cases = await engineCases();
  return cases.filter((c) => c.name === "pglite (on disk)" || c.name === "postgres");
}

export interface ChatHarness {
  server: RealtimeServer;
  db: Database;
  baseUrl: string;
  /** Stops the service and closes the database, then opens both again on the same data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  config?: ServerDeps["config"];
  chat?: ChatOptions;
}

export async function startChatServer(engine: Engine, options: HarnessOptions = {}): Promise<ChatHarness> {
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
        ...options.config,
        addressLimits: { ...RELAXED_ADDRESS_LIMITS, ...options.config?.addressLimits },
      },
      features: [chatFeature(options.chat)],
    });
    const baseUrl = await server.listen({ port: 0 });
    return { db, server, baseUrl };
  }
  let current = await boot();
  const harness: ChatHarness = {
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

/** What a suite on one engine shares; filled in by its beforeAll, so read it inside tests. */
export interface EngineSuite {
  engine: Engine;
  chat: ChatHarness;
  ada: Person;
  bob: Person;
  /** Only when the suite asks for her (`carol: true`). */
  carol: Person;
}

export interface EngineSuiteOptions {
  server?: HarnessOptions;
  /** Also sign in a third guest, Carol. */
  carol?: boolean;
}

/**
 * `describe.each` over the chat engines (a skipped engine gets one skipped test):
 * a fresh engine and chat server per engine, with Ada and Bob (and Carol if asked)
 * signed in before the tests run, all stopped after them.
 */
export async function describeOnEngines(title: string, body: (suite: EngineSuite) => void, options: EngineSuiteOptions = {}): Promise<void> {
  const engines = await chatEngines();
  describe.each(engines)(title, ({ make, skip }) => {
    if (skip) {
      test.skip(`skipped: ${skip}`, () => {});
      return;
    }
    const suite = {} as EngineSuite;
    beforeAll(async () => {
      suite.engine = await make();
      suite.chat = await startChatServer(suite.engine, options.server);
      suite.ada = await person(suite.chat, "Ada");
      suite.bob = await person(suite.chat, "Bob");
      if (options.carol) suite.carol = await person(suite.chat, "Carol");
    });
    afterAll(async () => {
      await suite.chat?.stop();
      await suite.engine?.teardown();
    });
    body(suite);
  });
}

export function commandId(): string {
  return `c_${randomBytes(9).toString("base64url")}`;
}

/** A signed-in guest talking HTTP: commands, reads and raw requests. */
export interface Person {
  user: { id: string; name: string };
  token: string;
  headers: Record<string, string>;
  /** POST /v1/commands; the parsed answer and its HTTP status. */
  command(type: string, payload: unknown, id?: string): Promise<{ status: number; body: CommandResult }>;
  /** A command that must succeed: its result. */
  ok<T = Record<string, unknown>>(type: string, payload: unknown, id?: string): Promise<T>;
  /** A command that must fail: its error body and status. */
  fails(type: string, payload: unknown, id?: string): Promise<ErrorBody & { status: number }>;
  get<T = unknown>(path: string): Promise<{ status: number; body: T; headers: Headers }>;
}

export async function person(harness: Pick<ChatHarness, "baseUrl">, name: string): Promise<Person> {
  const session = await signIn(harness.baseUrl, name);
  const headers = { authorization: `Bearer ${session.token}` };
  const self: Person = {
    user: session.user,
    token: session.token,
    headers,
    async command(type, payload, id = commandId()) {
      const response = await fetch(`${harness.baseUrl}/v1/commands`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ id, type, payload }),
      });
      return { status: response.status, body: CommandResult.parse(await response.json()) };
    },
    async ok<T>(type: string, payload: unknown, id?: string) {
      const { body } = await self.command(type, payload, id);
      if (!body.ok) throw new Error(`${type} failed: ${JSON.stringify(body.error)}`);
      return body.result as T;
    },
    async fails(type, payload, id) {
      const { status, body } = await self.command(type, payload, id);
      if (body.ok) throw new Error(`${type} unexpectedly succeeded: ${JSON.stringify(body.result)}`);
      return { ...body.error, status };
    },
    async get<T>(path: string) {
      const response = await fetch(`${harness.baseUrl}${path}`, { headers });
      return { status: response.status, body: (await response.json()) as T, headers: response.headers };
    },
  };
  return self;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `condition` holds (checked every 10 ms). */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
