import WebSocket from "ws";

/**
 * A bare engine.io v4 / socket.io v5 speaker over `ws`: it sends exactly the
 * frames a test writes (malformed ones included), answers pings, and records
 * every event and ack, so hostile input can be sent the way an attacker would.
 */
export interface RawSocket {
  ws: WebSocket;
  /** Sends `42<id>[event, ...args]`; resolves to the ack's arguments. */
  emit(event: string, args: unknown[]): Promise<unknown[]>;
  /** Sends `42[event, ...args]` without an ack id. */
  emitWithoutAck(event: string, args: unknown[]): void;
  /** Sends a text frame as it is. */
  sendText(frame: string): void;
  /** Events received so far, in order: [name, payload]. */
  events: Array<[string, unknown]>;
  /** Resolves once the server closes the connection. */
  closed: Promise<void>;
  waitForEvent(name: string, timeoutMs?: number): Promise<unknown>;
  close(): void;
}

export function connectRawSocket(baseUrl: string, token: string, options: { origin?: string } = {}): Promise<RawSocket> {
  const ws = new WebSocket(`${baseUrl.replace("http", "ws")}/v1/ws/?EIO=4&transport=websocket`, {
    headers: options.origin ? { origin: options.origin } : {},
  });
  const acks = new Map<number, (args: unknown[]) => void>();
  const events: Array<[string, unknown]> = [];
  const listeners = new Set<() => void>();
  let nextAck = 1;
  const closed = new Promise<void>((resolve) => ws.on("close", () => resolve()));
  const socket: RawSocket = {
    ws,
    events,
    closed,
    emitWithoutAck(event, args) {
      ws.send(`42${JSON.stringify([event, ...args])}`);
    },
    emit(event, args) {
      const id = nextAck++;
      ws.send(`42${id}${JSON.stringify([event, ...args])}`);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ack for ${event} within 10 s`)), 10_000);
        acks.set(id, (answer) => {
          clearTimeout(timer);
          resolve(answer);
        });
      });
    },
    sendText: (frame) => ws.send(frame),
    waitForEvent(name, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(([event]) => event === name);
          if (!found) return false;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(found[1]);
          return true;
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${name} event within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) listeners.add(check);
      });
    },
    close: () => ws.close(),
  };
  return new Promise((resolve, reject) => {
    ws.on("message", (data) => {
      const text = (data as Buffer).toString("utf8");
      if (text === "2") return ws.send("3");
      if (text.startsWith("0")) return ws.send(`40${JSON.stringify({ token })}`);
      if (text.startsWith("40")) return resolve(socket);
      if (text.startsWith("44")) return reject(new Error(`connect refused: ${text.slice(2)}`));
      const ack = /^43(\d+)(.*)$/s.exec(text);
      if (ack) {
        acks.get(Number(ack[1]))?.(JSON.parse(ack[2]!) as unknown[]);
        acks.delete(Number(ack[1]));
        return;
      }
      if (text.startsWith("42")) {
        const [event, payload] = JSON.parse(text.slice(2)) as [string, unknown];
        events.push([event, payload]);
        for (const listener of [...listeners]) listener();
      }
    });
    ws.on("error", reject);
  });
}
