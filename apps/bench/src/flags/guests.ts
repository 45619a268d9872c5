import { createCommandId, createServiceApi } from "@repo/client";
import { CommandResult, HTTP_PATHS, PROTOCOL_VERSION, VERSION_HEADER, type CommandType } from "@repo/protocol";

/** A signed-in guest: who they are and their bearer session. */
export interface Guest {
  userId: string;
  token: string;
}

const BATCH = 25;

/** Signs in `count` guests named `<prefix> <n>`, 25 at a time, with progress every 250. */
export async function signInGuests(url: string, count: number, prefix: string, progress: (message: string) => void): Promise<Guest[]> {
  const api = createServiceApi({ baseUrl: url });
  const guests: Guest[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const batch = await Promise.all(Array.from({ length: Math.min(BATCH, count - start) }, (_, i) => api.signIn(`${prefix} ${start + i + 1}`)));
    guests.push(...batch.map((session) => ({ userId: session.user.id, token: session.token })));
    if (guests.length % 250 === 0 || guests.length === count) progress(`signed in ${guests.length}/${count} ${prefix} guests`);
  }
  return guests;
}

/**
 * One command over `POST /v1/commands`, outside any realtime client: set-up
 * (joining a room) that should not start a transport or reach open streams.
 */
export async function postCommand(url: string, guest: Guest, type: CommandType, payload: unknown): Promise<unknown> {
  const response = await fetch(`${url}${HTTP_PATHS.commands}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${guest.token}`, [VERSION_HEADER]: String(PROTOCOL_VERSION) },
    body: JSON.stringify({ id: createCommandId(), type, payload }),
  });
  const answer = CommandResult.parse(await response.json());
  if (!answer.ok) throw new Error(`${type}: ${answer.error.code} ${answer.error.message}`);
  return answer.result;
}

/** Every guest joins the room (25 at a time) before anyone reads it, so no open stream hears N member.joined events. */
export async function joinRoom(url: string, guests: Guest[], roomId: string, progress: (message: string) => void): Promise<void> {
  for (let start = 0; start < guests.length; start += BATCH) {
    await Promise.all(guests.slice(start, start + BATCH).map((guest) => postCommand(url, guest, "chat.join", { roomId })));
    const joined = Math.min(start + BATCH, guests.length);
    if (joined % 250 === 0 || joined === guests.length) progress(`${joined}/${guests.length} joined the room`);
  }
}
