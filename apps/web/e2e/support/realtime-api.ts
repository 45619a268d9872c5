// The realtime service's HTTP API, driven from the test process (Node's fetch: no Origin
// header, no cookie jar): sessions by bearer token and commands through `POST /v1/commands`.
// Used to set a scene (a room full of messages, a message from someone not in a browser).

export const REALTIME = "http://localhost:4000";

/** Signs a guest in and returns the session token. */
export async function apiSession(name: string): Promise<string> {
  const response = await fetch(`${REALTIME}/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (!response.ok) throw new Error(`sign-in as ${name} failed: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** One command with a bearer token; throws on a refusal. */
export async function command(token: string, type: string, payload: object): Promise<Record<string, unknown>> {
  const response = await fetch(`${REALTIME}/v1/commands`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ id: crypto.randomUUID().replaceAll("-", ""), type, payload }),
  });
  const body = (await response.json()) as { ok: boolean; result?: Record<string, unknown>; error?: unknown };
  if (!body.ok) throw new Error(`${type} failed: ${JSON.stringify(body.error)}`);
  return body.result!;
}

/** A member of `roomId` who posts through the API (10 messages per 10 s, the send rate limit). */
export async function apiMember(name: string, roomId: string): Promise<(text: string) => Promise<void>> {
  const token = await apiSession(name);
  await command(token, "chat.join", { roomId });
  return async (text) => void (await command(token, "chat.send", { roomId, text }));
}

/** "message 001", "message 002", …: sorts and reads in order. */
export function numbered(n: number): string {
  return `message ${String(n).padStart(3, "0")}`;
}

/**
 * A room with `count` messages numbered(1)… in order, posted through the API by as many
 * users as the send rate limit (10 per user per 10 s) needs. Returns the room id.
 */
export async function seedRoom(name: string, count: number): Promise<string> {
  const creator = await apiSession("Seeder 1");
  const { room } = (await command(creator, "chat.createRoom", { name })) as { room: { id: string } };
  const posters: Array<(text: string) => Promise<void>> = [
    async (text) => void (await command(creator, "chat.send", { roomId: room.id, text })),
  ];
  for (let i = 1; i < Math.ceil(count / 10); i++) posters.push(await apiMember(`Seeder ${i + 1}`, room.id));
  for (let i = 0; i < count; i++) await posters[Math.floor(i / 10)]!(numbered(i + 1));
  return room.id;
}
