import { CommandId, ProtocolError, type EventEnvelope } from "@repo/protocol";
import { afterEach, describe, expect, test, vi } from "vitest";
import {
  ConnectionError,
  createClient as createRealClient,
  backoffDelay,
  createCommandId,
  fullJitterDelay,
  type ClientOptions,
  type TopicChange,
  type Transport,
  type TransportFactory,
  type TransportHost,
} from "../src";
import { MetricsRecorder } from "../src/metrics";

/** A transport double: records its host and what it was told, and does no I/O. */
interface Fake extends Transport {
  host: TransportHost;
  changes: TopicChange[];
  closed: boolean;
}
const made: Fake[] = [];
function fakeTransport(name: string): TransportFactory {
  return (host) => {
    const fake: Fake = {
      name,
      host,
      changes: [],
      closed: false,
      sendsOverConnection: false,
      open: () => {},
      update: (change) => void fake.changes.push(change),
      send: async (command) => ({ ok: true, id: command.id, result: { topic: "echo:x", offset: 1 } }),
      close: () => void (fake.closed = true),
      drop: () => host.failed(new ConnectionError("network", "dropped")),
    };
    made.push(fake);
    return fake;
  };
}
/** The client under test, with the two transport doubles as its only transports. */
const createClient = (options: ClientOptions) =>
  createRealClient({ transports: { "fake-a": fakeTransport("fake-a"), "fake-b": fakeTransport("fake-b") }, ...options });

const EPOCH = "e1";
const event = (offset: number, topic = "echo:me"): EventEnvelope => ({ topic, offset, epoch: EPOCH, type: "echo", payload: { offset }, ts: Date.now() });
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  made.length = 0;
  vi.useRealTimers();
});

describe("client core", () => {
  test("starts lazily, once, with every topic subscribed in the same tick", async () => {
    const client = createClient({ url: "http://x", transport: "fake-a" });
    expect(client.status).toBe("idle");
    client.subscribe("echo:me", () => {});
    client.subscribe("system:ticker", () => {});
    expect(made).toHaveLength(0);
    await tick();
    expect(made).toHaveLength(1);
    expect(Object.keys(made[0]!.host.cursors())).toEqual(["echo:me", "system:ticker"]);
    expect(made[0]!.changes).toEqual([]);
    client.close();
  });

  test("de-duplicates by offset and ignores a replaced transport", async () => {
    const client = createClient({ url: "http://x", transport: "fake-a" });
    const offsets: number[] = [];
    client.subscribe("echo:me", (e) => offsets.push(e.offset), { cursor: { epoch: EPOCH, offset: 0 } });
    await tick();
    const first = made[0]!;
    first.host.opened();
    first.host.event(event(1));
    first.host.event(event(2));
    first.host.event(event(2));
    client.switchTransport("fake-b");
    expect(first.closed).toBe(true);
    const second = made[1]!;
    expect(second.host.cursors()).toEqual({ "echo:me": { epoch: EPOCH, offset: 2 } });
    first.host.event(event(3)); // stale: ignored
    first.host.opened();
    second.host.event(event(1));
    second.host.event(event(3));
    second.host.event({ ...event(4), epoch: "other" });
    expect(offsets).toEqual([1, 2, 3]);
    expect(client.metrics().duplicates).toBe(3);
    expect(client.status).toBe("connecting");
    client.close();
  });

  test("reconnects after a failure with full-jitter backoff, from the last cursor", async () => {
    vi.useFakeTimers();
    const client = createClient({ url: "http://x", transport: "fake-a", reconnect: { baseMs: 100, maxMs: 1000 } });
    const statuses: string[] = [];
    client.on("status", (status) => statuses.push(status));
    client.subscribe("echo:me", () => {}, { cursor: { epoch: EPOCH, offset: 0 } });
    await vi.advanceTimersByTimeAsync(0);
    made[0]!.host.opened();
    made[0]!.host.event(event(1));
    for (let i = 0; i < 3; i++) {
      made.at(-1)!.host.failed(new ConnectionError("network", "gone"));
      await vi.advanceTimersByTimeAsync(100 * 2 ** i);
    }
    expect(made).toHaveLength(4);
    expect(made[3]!.host.cursors()).toEqual({ "echo:me": { epoch: EPOCH, offset: 1 } });
    expect(client.metrics().reconnects).toBe(3);
    made[3]!.host.opened();
    expect(statuses).toEqual(["connecting", "open", "reconnecting", "open"]);
    client.close();
  });

  test("stops on a fatal error instead of retrying", async () => {
    const client = createClient({ url: "http://x", transport: "fake-a" });
    const errors: unknown[] = [];
    client.on("error", (error) => errors.push(error));
    client.subscribe("echo:me", () => {});
    await tick();
    made[0]!.host.failed(new ProtocolError("unauthorized", "Sign in first"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.status).toBe("closed");
    expect(made).toHaveLength(1);
    expect((errors[0] as ProtocolError).code).toBe("unauthorized");
    client.reconnect();
    expect(made).toHaveLength(2);
    client.close();
  });

  test("a refusal ends only the topic it names", async () => {
    const client = createClient({ url: "http://x", transport: "fake-a" });
    client.on("error", () => {});
    const refused: string[] = [];
    client.subscribe("echo:me", () => {}, { onError: () => refused.push("me") });
    client.subscribe("echo:eve", () => {}, { onError: () => refused.push("eve") });
    await tick();
    made[0]!.host.refused(
      new ProtocolError("forbidden", "Not allowed to read echo:eve", { issues: [{ path: ["cursor", "echo:eve"], message: "Not allowed" }] }),
    );
    await tick();
    expect(refused).toEqual(["eve"]);
    expect(Object.keys(client.cursors())).toEqual(["echo:me"]);
    expect(made[0]!.changes).toEqual([{ added: {}, removed: ["echo:eve"] }]);
    client.close();
  });

  test("resets move the cursor and reach the subscriber once", async () => {
    const client = createClient({ url: "http://x", transport: "fake-a" });
    const resets: unknown[] = [];
    const offsets: number[] = [];
    client.subscribe("echo:me", (e) => offsets.push(e.offset), { cursor: { epoch: "old", offset: 5 }, onReset: (r) => resets.push(r) });
    await tick();
    const reset = { topic: "echo:me", reason: "unknown_epoch", position: { epoch: EPOCH, offset: 7 } } as const;
    made[0]!.host.reset(reset);
    made[0]!.host.reset(reset);
    made[0]!.host.event(event(7));
    made[0]!.host.event(event(8));
    expect(resets).toEqual([reset]);
    expect(offsets).toEqual([8]);
    client.close();
  });

  test("pins a 'from now' cursor to the position the server reports", async () => {
    const client = createClient({ url: "http://x", transport: "fake-a" });
    client.subscribe("echo:me", () => {});
    await tick();
    made[0]!.host.positions({ "echo:me": { epoch: EPOCH, offset: 41 } });
    made[0]!.host.positions({ "echo:me": { epoch: EPOCH, offset: 3 } });
    expect(client.cursors()).toEqual({ "echo:me": { epoch: EPOCH, offset: 41 } });
    client.close();
  });

  test("a command the server did not run (`unavailable`) is resent with the same id", async () => {
    const ids: string[] = [];
    const client = createRealClient({
      url: "http://x",
      transport: "draining",
      reconnect: { baseMs: 1, maxMs: 5 },
      transports: {
        draining: (host) => ({
          name: "draining",
          sendsOverConnection: false,
          open: () => {},
          update: () => {},
          send: async (command) => {
            ids.push(command.id);
            return ids.length === 1
              ? { ok: false, id: command.id, error: { code: "unavailable", message: "Draining" } }
              : { ok: true, id: command.id, result: { topic: "echo:x", offset: 1 } };
          },
          close: () => {},
          drop: () => host.failed(new ConnectionError("network", "dropped")),
        }),
      },
    });
    await expect(client.send({ type: "echo", payload: { text: "hi" } })).resolves.toEqual({ topic: "echo:x", offset: 1 });
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
    client.close();
  });

  test("knows only the transports it was given", () => {
    const client = createClient({ url: "http://x", transport: "fake-a" });
    expect(client.transports).toEqual(["fake-a", "fake-b"]);
    expect(() => client.switchTransport("websocket")).toThrow(/Unknown transport/);
    expect(() => createRealClient({ url: "http://x", transport: "fake-a" })).toThrow(/Unknown transport/);
    client.close();
  });

  test("refuses invalid topics and oversized commands locally", async () => {
    const client = createClient({ url: "http://x", transport: "fake-a" });
    expect(() => client.subscribe("nope", () => {})).toThrow(ProtocolError);
    await expect(client.send({ type: "echo", payload: { text: "x".repeat(20_000) } })).rejects.toMatchObject({ code: "payload_too_large" });
    await expect(client.send({ type: "echo", payload: { text: "hi" } })).resolves.toEqual({ topic: "echo:x", offset: 1 });
    client.close();
    await expect(client.send({ type: "echo", payload: { text: "hi" } })).rejects.toBeInstanceOf(ConnectionError);
  });
});

describe("helpers", () => {
  test("full-jitter backoff stays under min(max, base·2^attempt)", () => {
    const options = { baseMs: 100, maxMs: 5000 };
    expect(fullJitterDelay(0, options, () => 0.999)).toBeLessThan(100);
    expect(fullJitterDelay(3, options, () => 0.999)).toBeLessThan(800);
    expect(fullJitterDelay(50, options, () => 0.999)).toBeLessThan(5000);
    expect(fullJitterDelay(50, options, () => 0)).toBe(0);
  });

  test("backoff without jitter waits the whole ceiling, the same for every client", () => {
    const options = { baseMs: 100, maxMs: 5000, jitter: false };
    expect([0, 1, 2, 3, 50].map((attempt) => backoffDelay(attempt, options, () => 0))).toEqual([100, 200, 400, 800, 5000]);
    expect(backoffDelay(3, { ...options, jitter: true }, () => 0)).toBe(0);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 5000 }, () => 0.5)).toBe(400);
  });

  test("latency percentiles over a bounded window", () => {
    const recorder = new MetricsRecorder(100);
    for (let ms = 1000; ms > 0; ms--) recorder.latency(ms % 100 === 0 ? 100 : ms % 100);
    const { latency } = recorder.snapshot("x", "open");
    expect(latency).toEqual({ samples: 100, p50: 50, p95: 95, p99: 99, max: 100 });
  });

  test("command ids are valid and distinct", () => {
    const ids = new Set(Array.from({ length: 1000 }, createCommandId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(CommandId.safeParse(id).success).toBe(true);
  });
});
