import { request, type IncomingMessage } from "node:http";

export interface SseFrame {
  event: string;
  id?: string;
  data: string;
}

/**
 * A bare SSE reader over node:http, so tests see exactly what the server
 * writes (frames, comments, headers) and can stop reading or vanish at will.
 */
export function openRawSse(url: string, headers: Record<string, string> = {}) {
  const frames: SseFrame[] = [];
  let comments = 0;
  let buffer = "";
  let response: IncomingMessage | undefined;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };

  const req = request(url, { headers: { accept: "text/event-stream", ...headers } });
  const opened = new Promise<IncomingMessage>((resolve, reject) => {
    req.on("response", (res) => {
      response = res;
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame: SseFrame = { event: "message", data: "" };
          let isComment = true;
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) continue;
            isComment = false;
            const colon = line.indexOf(":");
            const field = line.slice(0, colon);
            const value = line.slice(colon + 1).replace(/^ /, "");
            if (field === "event") frame.event = value;
            else if (field === "id") frame.id = value;
            else if (field === "data") frame.data += value;
          }
          if (isComment) comments++;
          else if (frame.data !== "" || frame.id) frames.push(frame);
        }
        notify();
      });
      res.on("end", notify);
      resolve(res);
    });
    req.on("error", reject);
  });
  req.end();

  return {
    opened,
    frames,
    comments: () => comments,
    response: () => response,
    ended: () => response?.complete ?? false,
    async waitFor(predicate: () => boolean, timeoutMs = 5000) {
      if (predicate()) return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error("timed out waiting for SSE frames"));
        }, timeoutMs);
        const check = () => {
          if (predicate()) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
      });
    },
    /** Stops reading: the server's socket buffer fills up. */
    pause: () => response?.pause(),
    /** Vanishes without a goodbye. */
    destroy: () => req.destroy(),
  };
}

export type RawSse = ReturnType<typeof openRawSse>;
