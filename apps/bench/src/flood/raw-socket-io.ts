import { SOCKET_PATH } from "@repo/protocol";
import { WebSocket, type RawData } from "ws";
import { frameText } from "../loadgen/frame-text";

/**
 * A socket.io client written on raw `ws` frames (engine.io v4 + socket.io v5
 * packets), for the subscribe-flood attacker: unlike socket.io-client it can
 * send packets without waiting for anything and then stop reading its socket
 * (`pause`), so the server's queue to it only grows, as in finding F2.
 */

export interface RawSocketTally {
  acksOk: number;
  /** Refused acks by error code (`rate_limited`, `validation`, …). */
  acksRefused: Record<string, number>;
  events: number;
  resets: number;
  /** `closing` notices by reason (`slow_consumer`, …). */
  closing: Record<string, number>;
  /** Bytes of socket.io packets read (payloads of WebSocket frames). */
  bytesRead: number;
}

type AckAnswer = { ok: true; cursor: string } | { ok: false; error?: { code?: string } };

export class RawSocketIo {
  readonly tally: RawSocketTally = { acksOk: 0, acksRefused: {}, events: 0, resets: 0, closing: {}, bytesRead: 0 };
  /** Set once the connection ended: who closed it and with which WebSocket close code. */
  closed: { code: number; at: number } | undefined;
  private nextAck = 1;
  private readonly waiting = new Map<number, (answer: AckAnswer) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: RawData) => this.onFrame(data));
    ws.on("close", (code) => {
      this.closed = { code, at: Date.now() };
      for (const resolve of this.waiting.values()) resolve({ ok: false, error: { code: "closed" } });
      this.waiting.clear();
    });
    ws.on("error", () => {});
  }

  /**
   * Connects to Switchboard's socket.io endpoint with a session token; rejects
   * with the server's error code when the connection is refused.
   */
  static connect(baseUrl: string, token: string, options: { localAddress?: string; timeoutMs: number }): Promise<RawSocketIo> {
    const url = `${baseUrl.replace(/^http/, "ws")}${SOCKET_PATH}/?EIO=4&transport=websocket`;
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: options.timeoutMs, localAddress: options.localAddress });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error("connect: timeout"));
      }, options.timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        ws.terminate();
        reject(error);
      };
      const onClose = (code: number) => fail(new Error(`connect: closed (${code})`));
      ws.once("error", fail);
      ws.once("close", onClose);
      ws.once("unexpected-response", (_request, response) => fail(new Error(`connect: HTTP ${response.statusCode}`)));
      ws.on("message", function onHandshake(data: RawData) {
        const text = frameText(data);
        if (text.startsWith("0")) {
          ws.send(`40${JSON.stringify({ token })}`);
        } else if (text.startsWith("40")) {
          clearTimeout(timer);
          ws.off("message", onHandshake);
          ws.off("error", fail);
          ws.off("close", onClose);
          resolve(new RawSocketIo(ws));
        } else if (text.startsWith("44")) {
          const body = JSON.parse(text.slice(2)) as { message?: string; data?: { code?: string } };
          fail(new Error(`connect refused: ${body.data?.code ?? body.message ?? "unknown"}`));
        }
      });
    });
  }

  /** Sends `subscribe` and waits for its ack (used before the flood, to learn each topic's epoch and head). */
  subscribeAndWait(cursor: string, timeoutMs: number): Promise<AckAnswer> {
    const id = this.subscribe(cursor);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ ok: false, error: { code: "timeout" } });
      }, timeoutMs);
      this.waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
  }

  /** Sends one `subscribe` packet without waiting; returns its ack id. */
  subscribe(cursor: string): number {
    const id = this.nextAck++;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(`42${id}${JSON.stringify(["subscribe", { cursor }])}`);
    return id;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Stops reading: the kernel's buffers fill, then the server queues everything it sends in its own memory. */
  pause() {
    this.ws.pause();
  }

  resume() {
    this.ws.resume();
  }

  terminate() {
    this.ws.terminate();
  }

  private onFrame(data: RawData) {
    const text = frameText(data);
    this.tally.bytesRead += text.length;
    if (text === "2") {
      this.ws.send("3");
      return;
    }
    if (text.startsWith("42")) {
      // Only the event name is needed: look at the first few bytes, not the whole (possibly large) JSON.
      const head = text.slice(2, 24);
      if (head.startsWith('["event"')) this.tally.events++;
      else if (head.startsWith('["reset"')) this.tally.resets++;
      else if (head.startsWith('["closing"')) {
        const notice = JSON.parse(text.slice(2)) as [string, { reason?: string }];
        const reason = notice[1]?.reason ?? "unknown";
        this.tally.closing[reason] = (this.tally.closing[reason] ?? 0) + 1;
      }
      return;
    }
    if (text.startsWith("43")) {
      const match = /^43(\d+)/.exec(text);
      if (!match) return;
      const id = Number(match[1]);
      const [answer] = JSON.parse(text.slice(match[0].length)) as [AckAnswer];
      if (answer.ok) this.tally.acksOk++;
      else {
        const code = answer.error?.code ?? "unknown";
        this.tally.acksRefused[code] = (this.tally.acksRefused[code] ?? 0) + 1;
      }
      this.waiting.get(id)?.(answer);
      this.waiting.delete(id);
    }
  }
}
