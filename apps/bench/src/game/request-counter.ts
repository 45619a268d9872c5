import dc from "node:diagnostics_channel";

/**
 * HTTP requests this process makes, whoever makes them: the SDK's fetches
 * (polls, long polls, commands, reads, SSE tickets and the EventSource's
 * stream, all through undici) and node:http requests (socket.io's WebSocket
 * upgrade). Counted from Node's diagnostics channels, so no client is changed.
 * Wire bytes come from ../loadgen/meter.ts.
 */
let requests = 0;
dc.subscribe("undici:request:create", () => requests++);
dc.subscribe("http.client.request.start", () => requests++);

export function httpRequests(): number {
  return requests;
}
