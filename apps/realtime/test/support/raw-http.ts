import { connect, type Socket } from "node:net";

/**
 * A hand-driven HTTP/1.1 request over a bare socket: the test decides when each byte goes out
 * (slow bodies, requests in flight across a shutdown) and sees the raw answer.
 */
export function openRawRequest(baseUrl: string, head: { method: string; path: string; headers: Record<string, string> }) {
  const { port, hostname } = new URL(baseUrl);
  let text = "";
  let socket: Socket;
  const connected = new Promise<void>((resolve, reject) => {
    socket = connect(Number(port), hostname, () => {
      const lines = [`${head.method} ${head.path} HTTP/1.1`, `Host: ${hostname}`, ...Object.entries(head.headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
      resolve();
    });
    socket.once("error", reject);
  });
  const ended = connected.then(
    () =>
      new Promise<string>((resolve) => {
        socket.setEncoding("utf8");
        socket.on("data", (chunk: string) => (text += chunk));
        // "close" too: a socket the server destroys may end without a FIN.
        socket.on("close", () => resolve(text));
        socket.on("error", () => undefined);
      }),
  );
  return {
    connected,
    write: async (chunk: string) => {
      await connected;
      socket.write(chunk);
    },
    /** Resolves with everything the server sent once the connection is gone. */
    ended,
    received: () => text,
    destroy: () => socket.destroy(),
  };
}

/** The status code of a raw HTTP answer, or 0 when nothing came back. */
export function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
}

/** The JSON body of a raw, non-chunked HTTP answer. */
export function bodyOf(raw: string): unknown {
  return JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4));
}
