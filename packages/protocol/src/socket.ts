import type { CommandResult } from "./commands";
import type { ErrorBody } from "./errors";
import type { ClosingNotice, EventEnvelope, ResetSignal, RevokedNotice, Signal } from "./events";

/**
 * The socket.io contract (path `/v1/ws`, websocket transport only). Auth goes
 * in the handshake (`auth: { token }`) or the session cookie; never the URL.
 */
export type SubscribeRequest = { cursor: string };
export type SubscribeAck = { ok: true; v: number; cursor: string } | { ok: false; error: ErrorBody };
export type UnsubscribeRequest = { topics: string[] };

export interface ServerToClientEvents {
  event: (event: EventEnvelope) => void;
  reset: (reset: ResetSignal) => void;
  signal: (signal: Signal) => void;
  revoked: (notice: RevokedNotice) => void;
  closing: (notice: ClosingNotice) => void;
}

export interface ClientToServerEvents {
  subscribe: (request: SubscribeRequest, ack: (answer: SubscribeAck) => void) => void;
  unsubscribe: (request: UnsubscribeRequest, ack: (answer: { ok: true }) => void) => void;
  command: (command: unknown, ack: (result: CommandResult) => void) => void;
}

export const SOCKET_PATH = "/v1/ws";
