// The chat room controller under test with a stand-in realtime client and stubbed reads.
import { createServiceApi, type RealtimeClient, type SubscribeOptions } from "@repo/client";
import type { ChatMessage, EventEnvelope, Position, User } from "@repo/protocol";
import type { z } from "zod";
import { afterEach, beforeEach, vi } from "vitest";
import { ChatRoomController } from "../../src/features/chat/room/chat-room";

export const ME: User = { id: "u-ada", name: "Ada" };
export const POSITION: Position = { epoch: "e1", offset: 10 };


export type Sent = { id?: string; type: string; payload: Record<string, unknown> };

/**
 * Just enough of RealtimeClient: records commands and subscriptions; the test answers. Its
 * reads are the SDK's own (over the fetch each test stubs), so they fail as the real ones do.
 */
export class FakeClient {
  private readonly reads = createServiceApi({ baseUrl: "http://realtime.test" });
  status = "open";
  sent: Sent[] = [];
  subscriptions: Array<{ topic: string; onEvent: (e: EventEnvelope) => void; options: SubscribeOptions; active: boolean }> = [];
  answer: (command: Sent) => Promise<unknown> = (command) => this.defaultAnswer(command);
  private statusListeners = new Set<(status: string) => void>();
  private offset = 10;

  defaultAnswer(command: Sent): Promise<unknown> {
    if (command.type === "chat.join") {
      return Promise.resolve({ room: { id: "lobby", name: "Lobby", createdAt: new Date(0).toISOString(), joined: true, members: 2 } });
    }
    return Promise.resolve({});
  }

  on(_name: "status", listener: (status: string) => void) {
    this.statusListeners.add(listener);
    return () => void this.statusListeners.delete(listener);
  }

  setStatus(status: string) {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  get<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
    return this.reads.get(path, schema);
  }

  send(command: Sent) {
    this.sent.push(command);
    return this.answer(command);
  }

  subscribe(topic: string, onEvent: (e: EventEnvelope) => void, options: SubscribeOptions) {
    const subscription = { topic, onEvent, options, active: true };
    this.subscriptions.push(subscription);
    return () => void (subscription.active = false);
  }

  emit(type: string, payload: unknown) {
    const subscription = this.subscriptions.at(-1)!;
    subscription.onEvent({ topic: subscription.topic, epoch: "e1", offset: ++this.offset, type, payload, ts: Date.now() });
  }
}

/** Answers the history and presence GETs from these lists. */
export function serveReads(pages: { messages: ChatMessage[]; hasMore: boolean }[], presence: User[][] = [[]]) {
  const requests: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string) => {
      requests.push(url);
      const path = new URL(url).pathname;
      const body = path.endsWith("/presence")
        ? { users: presence.length > 1 ? presence.shift()! : presence[0]! }
        : { ...(pages.length > 1 ? pages.shift()! : pages[0]!), position: POSITION };
      return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
    }),
  );
  return requests;
}

/**
 * Holds every history GET until the test answers it (presence GETs answer at once, empty):
 * for orderings around a reset.
 */
export class DeferredReads {
  private readonly waiting: Array<{ url: string; resolve: (response: Response) => void }> = [];

  constructor() {
    vi.stubGlobal(
      "fetch",
      vi.fn((url: string) => {
        if (new URL(url).pathname.endsWith("/presence")) return Promise.resolve(Response.json({ users: [] }));
        return new Promise<Response>((resolve) => this.waiting.push({ url, resolve }));
      }),
    );
  }

  get pending(): string[] {
    return this.waiting.map((read) => read.url);
  }

  /** Answers the oldest read still out (whose URL contains `matching`, if given). */
  answer(page: { messages: ChatMessage[]; hasMore: boolean }, matching = "") {
    this.take(matching).resolve(Response.json({ ...page, position: POSITION }));
  }

  fail() {
    this.take("").resolve(Response.json({ error: { code: "internal", message: "Boom" } }, { status: 500 }));
  }

  private take(matching: string) {
    const index = this.waiting.findIndex((read) => read.url.includes(matching));
    if (index < 0) throw new Error(`no read out matching "${matching}"`);
    return this.waiting.splice(index, 1)[0]!;
  }
}

export async function settle() {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

export function open(client: FakeClient, now?: () => number) {
  const room = new ChatRoomController(client as unknown as RealtimeClient, "lobby", ME, now);
  room.start();
  return room;
}

export const texts = (room: ChatRoomController) => room.getSnapshot().items.map((item) => item.text);

/** Each test stubs fetch (and maybe timers) afresh. Call at the top of a test file. */
export function freshGlobalsPerTest() {
  beforeEach(() => {
    vi.unstubAllGlobals();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
}

