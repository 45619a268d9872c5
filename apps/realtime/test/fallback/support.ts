import type { ClientOptions, RealtimeClient } from "@repo/client";
import { memoryFallbackMemory, type FallbackMemory } from "@repo/client";
import { nginxAvailable, startNginx, type NginxConfigName, type RunningNginx } from "@repo/nginx";
import { chatTopic, type Position, type Topic } from "@repo/protocol";
import { signIn, testClient, waitFor, type TestServer } from "../sdk/support/server";

export { nginxAvailable };

/** Why the proxy tests did not run, when nginx is missing (CI installs it: scripts/ensure-nginx.sh). */
export const NO_NGINX = "no nginx at /usr/sbin/nginx: install nginx-light (scripts/ensure-nginx.sh) to run the proxy tests";

/** Short bounds so a test sees a fallback in a second or two, not the SDK's production defaults. */
export const TEST_FALLBACK = { openTimeoutMs: 1_500, failuresBeforeFallback: 2 } as const;

export async function proxyFor(service: TestServer, config: NginxConfigName): Promise<RunningNginx> {
  return startNginx({ upstream: service.baseUrl, config });
}

/** A client through `url` wanting `transport`, with the fallback chain on and every `moved` recorded. */
export function fallbackClient(
  url: string,
  token: string,
  transport: string,
  fallback: { memory?: FallbackMemory; upgradeAfterMs?: number; openTimeoutMs?: number } = {},
  options: Partial<ClientOptions> = {},
) {
  const memory = fallback.memory ?? memoryFallbackMemory();
  const client = testClient(url, token, transport, {
    ...options,
    fallback: { ...TEST_FALLBACK, upgradeAfterMs: 600_000, ...fallback, memory },
  });
  const moves: Array<{ from: string; to: string; reason: string }> = [];
  const statuses: Array<{ status: string; transport: string }> = [];
  client.on("moved", (change) => moves.push(change));
  client.on("status", (status, detail) => statuses.push({ status, transport: detail.transport }));
  return { client, memory, moves, statuses };
}

/**
 * A chat room and a writer beside it (straight to the service, short polling):
 * `position` is where the room stands before the test, so a reader started
 * from it must receive exactly what the writer sends after.
 */
export async function chatRoom(service: TestServer, name: string) {
  const session = await signIn(service.baseUrl, name);
  const writer = testClient(service.baseUrl, session.token, "polling");
  const { room } = await writer.send({ type: "chat.createRoom", payload: { name: `${name}'s room` } });
  const topic: Topic = chatTopic(room.id);
  const offsets: number[] = [];
  writer.subscribe(topic, (event) => offsets.push(event.offset));
  await writer.whenOpen();
  await waitFor(() => writer.cursors()[topic] != null, "the room's position");
  const position: Position = writer.cursors()[topic]!;
  let sent = 0;
  return {
    session,
    topic,
    position,
    /** Offsets the writer saw (the truth a reader must match). */
    offsets,
    async say(text: string) {
      sent++;
      await writer.send({ type: "chat.send", payload: { roomId: room.id, text } });
    },
    get sent() {
      return sent;
    },
    close() {
      writer.close();
    },
  };
}

/** What a reader received on `topic`, to compare with the writer's offsets. */
export function readRoom(client: RealtimeClient, topic: Topic, cursor: Position) {
  const offsets: number[] = [];
  client.subscribe(topic, (event) => offsets.push(event.offset), { cursor });
  return offsets;
}

/** 0 lost, 0 duplicated, in order: the reader got exactly what the writer saw. */
export function sameStream(reader: number[], writer: number[]): boolean {
  return reader.length === writer.length && reader.every((offset, i) => offset === writer[i]);
}
