import { CommandResult, EventEnvelope, HealthResponse, SOCKET_PATH, echoTopic, type SubscribeAck } from "@repo/protocol";
import { io, type Socket } from "socket.io-client";
import { expect } from "vitest";
import { request } from "./http-answers";

/** A signed-in, well-behaved client: its token and user. */
export interface WellBehavedClient {
  token: string;
  user: { id: string; name: string };
}

const ROUND_TRIP_MS = 5000;
let roundTrips = 0;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One echo round trip the way the SDK does it: connect socket.io with the
 * token, subscribe to `echo:<userId>` from now, send an `echo` command, and
 * receive the event carrying the same text.
 */
async function echoRoundTrip(baseUrl: string, client: WellBehavedClient): Promise<void> {
  const socket: Socket = io(baseUrl, {
    path: SOCKET_PATH,
    transports: ["websocket"],
    reconnection: false,
    timeout: ROUND_TRIP_MS,
    auth: { token: client.token },
  });
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.on("connect", () => resolve());
        socket.on("connect_error", reject);
      }),
      ROUND_TRIP_MS,
      "well-behaved socket connect",
    );
    const topic = echoTopic(client.user.id);
    const ack = (await socket.timeout(ROUND_TRIP_MS).emitWithAck("subscribe", { cursor: `${topic}@` })) as SubscribeAck;
    expect(ack, "well-behaved subscribe").toMatchObject({ ok: true });
    const text = `still-serving-${++roundTrips}-${Date.now()}`;
    const received = new Promise<void>((resolve) => {
      socket.on("event", (event: unknown) => {
        const parsed = EventEnvelope.safeParse(event);
        if (parsed.success && parsed.data.topic === topic && (parsed.data.payload as { text?: unknown }).text === text) resolve();
      });
    });
    const id = `health_${roundTrips}_${Date.now()}`;
    const result = CommandResult.parse(
      await socket.timeout(ROUND_TRIP_MS).emitWithAck("command", { id, type: "echo", payload: { text } }),
    );
    expect(result, "well-behaved echo command").toMatchObject({ ok: true, id });
    await withTimeout(received, ROUND_TRIP_MS, "echo event on echo:<userId>");
  } finally {
    socket.close();
  }
}

/**
 * Invariant 1: the service is still up and serving after a batch of fuzzed
 * input: /healthz answers, and a well-behaved client completes an echo round trip.
 */
export async function expectServiceServing(baseUrl: string, client: WellBehavedClient, what: string): Promise<void> {
  const health = await request(`${baseUrl}/healthz`).catch((error: unknown) => {
    throw new Error(`${what}: /healthz did not answer (${String(error)}); the service is down`);
  });
  expect(health.status, `${what}: /healthz status`).toBe(200);
  expect(HealthResponse.safeParse(health.json).success, `${what}: /healthz body`).toBe(true);
  await echoRoundTrip(baseUrl, client).catch((error: unknown) => {
    throw new Error(`${what}: a well-behaved client could not complete an echo round trip: ${String(error)}`);
  });
}
