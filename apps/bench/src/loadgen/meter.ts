import dc from "node:diagnostics_channel";
import type { Socket } from "node:net";

/**
 * Counts every byte the load generator's TCP sockets read and write, whatever
 * the transport (HTTP headers and bodies, chunked framing, WebSocket frames,
 * socket.io/engine.io packets, pings): each client socket is picked up from
 * Node's `net.client.socket` diagnostics channel and read through its
 * `bytesRead` / `bytesWritten` counters, so nothing is intercepted or copied.
 */
const live = new Set<Socket>();
let closedRead = 0;
let closedWritten = 0;

export const counters = {
  /** HTTP requests sent (each poll, each long poll, each SSE GET, each WebSocket upgrade, sign-ins and tickets). */
  requests: 0,
  /** Failed requests or connections. */
  errors: 0,
  /** Reset signals or unexpected frames. */
  anomalies: 0,
};

dc.subscribe("net.client.socket", (message) => {
  const { socket } = message as { socket: Socket };
  live.add(socket);
  socket.once("close", () => {
    closedRead += socket.bytesRead;
    closedWritten += socket.bytesWritten;
    live.delete(socket);
  });
});

export function wireBytes(): { read: number; written: number; sockets: number } {
  let read = closedRead;
  let written = closedWritten;
  for (const socket of live) {
    read += socket.bytesRead;
    written += socket.bytesWritten;
  }
  return { read, written, sockets: live.size };
}
