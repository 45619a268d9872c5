import { z } from "zod";
import { HTTP_PATHS } from "./paths";
import type { CommandResult } from "./commands";
import { MAX_CURSOR_LENGTH } from "./cursor";
import { MAX_TOPICS_PER_SUBSCRIPTION, Topic } from "./topics";
import type { ErrorBody } from "./errors";
import type { ClosingNotice, EventEnvelope, ResetSignal, RevokedNotice, Signal } from "./events";

/**
 * The socket.io contract (path `/v1/ws`, websocket transport only). Auth goes
 * in the handshake (`auth: { token }`) or the session cookie; never the URL.
 */
export const SubscribeRequest = z.object({ cursor: z.string().min(1).max(MAX_CURSOR_LENGTH) });
export type SubscribeRequest = z.infer<typeof SubscribeRequest>;
/**
 * `cursor` says where every requested topic stands. A subscribe sends at most
 * a bounded backlog: topics listed in `more` are not live yet (their backlog
 * was cut short at `cursor`), and the client subscribes them again from there.
 */
export type SubscribeAck = { ok: true; v: number; cursor: string; more?: Topic[] } | { ok: false; error: ErrorBody };
export const UnsubscribeRequest = z.object({ topics: z.array(Topic).max(MAX_TOPICS_PER_SUBSCRIPTION) });
export type UnsubscribeRequest = z.infer<typeof UnsubscribeRequest>;
export type UnsubscribeAck = { ok: true } | { ok: false; error: ErrorBody };

export interface ServerToClientEvents {
  event: (event: EventEnvelope) => void;
  reset: (reset: ResetSignal) => void;
  signal: (signal: Signal) => void;
  revoked: (notice: RevokedNotice) => void;
  closing: (notice: ClosingNotice) => void;
}

export interface ClientToServerEvents {
  subscribe: (request: SubscribeRequest, ack: (answer: SubscribeAck) => void) => void;
  unsubscribe: (request: UnsubscribeRequest, ack: (answer: UnsubscribeAck) => void) => void;
  command: (command: unknown, ack: (result: CommandResult) => void) => void;
}

/** socket.io's `path` option (HTTP_PATHS.socket). */
export const SOCKET_PATH = HTTP_PATHS.socket;
