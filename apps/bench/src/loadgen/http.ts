import http from "node:http";
import type { Socket } from "node:net";
import { request as undiciRequest, type Dispatcher } from "undici";
import { counters } from "./meter";

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  agent: http.Agent;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called with the socket once the request has one (for exact per-request byte counts). */
  onSocket?: (socket: Socket) => void;
}

/** One HTTP request over a keep-alive agent, with a hard timeout; the body is read as text. */
export function httpRequest(url: string, options: HttpOptions): Promise<HttpAnswer> {
  counters.requests++;
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: options.method ?? "GET",
      headers: options.body === undefined ? options.headers : { "content-type": "application/json", ...options.headers },
      agent: options.agent,
      signal: options.signal,
    });
    const timer = setTimeout(() => request.destroy(new Error(`timeout after ${options.timeoutMs} ms: ${url.split("?")[0]}`)), options.timeoutMs);
    if (options.onSocket) request.once("socket", options.onSocket);
    request.on("response", (response) => {
      response.setEncoding("utf8");
      let body = "";
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
      });
      response.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    request.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(options.body);
  });
}

/**
 * One poll or long poll through undici, with a hard timeout; the body is read
 * as text. The pollers' hot path: 1,000 long pollers cost node:http's client a
 * whole core, so the load generator, not the server, set the row's latency.
 * undici's sockets go through net.connect too, so wireBytes() counts them.
 */
export async function pollRequest(
  url: string,
  options: { headers: Record<string, string>; dispatcher: Dispatcher; timeoutMs: number; signal: AbortSignal },
): Promise<HttpAnswer> {
  counters.requests++;
  const response = await undiciRequest(url, {
    dispatcher: options.dispatcher,
    headers: options.headers,
    signal: options.signal,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  const body = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body };
}

/**
 * An open Server-Sent Events stream, parsed by hand (no EventSource
 * overhead): `onFrame(event, data)` for every frame that carries data.
 */
export function openEventStream(
  url: string,
  options: { agent: http.Agent; headers?: Record<string, string>; signal: AbortSignal; timeoutMs: number },
  onFrame: (event: string, data: string) => void,
  onEnd: (error?: Error) => void,
): Promise<void> {
  counters.requests++;
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      headers: { accept: "text/event-stream", ...options.headers },
      agent: options.agent,
      signal: options.signal,
    });
    const timer = setTimeout(() => request.destroy(new Error("timeout waiting for the stream to open")), options.timeoutMs);
    request.on("response", (response) => {
      clearTimeout(timer);
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`stream answered ${response.statusCode}`));
        return;
      }
      resolve();
      response.setEncoding("utf8");
      let buffer = "";
      response.on("data", (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = "message";
          let data: string | undefined;
          for (const line of frame.split("\n")) {
            if (line.startsWith("data:")) {
              const value = line.slice(line.charCodeAt(5) === 32 ? 6 : 5);
              data = data === undefined ? value : `${data}\n${value}`;
            } else if (line.startsWith("event:")) {
              event = line.slice(line.charCodeAt(6) === 32 ? 7 : 6);
            }
          }
          if (data !== undefined) onFrame(event, data);
        }
      });
      response.on("end", () => onEnd());
      response.on("error", (error) => onEnd(error));
    });
    request.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
      onEnd(error);
    });
    request.end();
  });
}
