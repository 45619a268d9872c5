import WebSocket from "ws";

/** Every wait on a raw socket is bounded by this (ms), unless the caller says otherwise. */
export const SOCKET_WAIT_MS = 3000;

export type RawMessage = { kind: "text"; text: string } | { kind: "binary"; bytes: Buffer };

export interface RawSocketClosed {
  code: number;
  reason: string;
}

/**
 * A minimal engine.io v4 / socket.io v5 speaker over `ws`: it sends exactly the
 * frames it is given, so tests can send what no real client would. It answers
 * pings (`2` → `3`) and records every message and the close.
 */
export class RawSocket {
  readonly messages: RawMessage[] = [];
  closedWith: RawSocketClosed | null = null;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (!isBinary) {
        const text = bytes.toString("utf8");
        if (text === "2") ws.send("3");
        this.messages.push({ kind: "text", text });
      } else {
        this.messages.push({ kind: "binary", bytes });
      }
      this.notify();
    });
    ws.on("close", (code, reason) => {
      this.closedWith = { code, reason: reason.toString() };
      this.notify();
    });
    // A refused or reset connection shows up as a close; the error itself carries nothing more.
    ws.on("error", () => {});
  }

  /** Opens the engine.io connection and waits for its `0{…}` open packet (nothing else is sent). */
  static async open(baseUrl: string, options: { headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<RawSocket> {
    const url = `${baseUrl.replace(/^http/, "ws")}/v1/ws/?EIO=4&transport=websocket`;
    const socket = new RawSocket(new WebSocket(url, { headers: options.headers, maxPayload: 64 * 1024 * 1024 }));
    await socket.waitFor((m) => m.kind === "text" && m.text.startsWith("0{"), options.timeoutMs ?? SOCKET_WAIT_MS, "engine.io open packet");
    return socket;
  }

  /** Opens and connects the default namespace with `auth: { token }`; resolves once `40{"sid":…}` arrives. */
  static async connect(baseUrl: string, token: string): Promise<RawSocket> {
    const socket = await RawSocket.open(baseUrl);
    socket.send(`40${JSON.stringify({ token })}`);
    await socket.waitFor((m) => m.kind === "text" && m.text.startsWith("40"), SOCKET_WAIT_MS, "namespace connect");
    return socket;
  }

  get open(): boolean {
    return this.closedWith === null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends one raw frame (text, or binary for a Buffer); a socket already gone swallows it. */
  send(frame: string | Buffer) {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(frame, { binary: Buffer.isBuffer(frame) });
  }

  /** Waits until a message after index `from` matches, or the socket closes (null), or times out (throws). */
  async waitFor(match: (m: RawMessage) => boolean, timeoutMs = SOCKET_WAIT_MS, what = "a frame", from = 0): Promise<RawMessage | null> {
    const find = () => this.messages.slice(from).find(match);
    const found = find();
    if (found) return found;
    if (this.closedWith) return null;
    return new Promise<RawMessage | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`raw socket: no ${what} within ${timeoutMs} ms (got ${this.describe()})`));
      }, timeoutMs);
      const check = () => {
        const hit = find();
        if (hit || this.closedWith) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(hit ?? null);
        }
      };
      this.waiters.add(check);
    });
  }

  /** Waits until the socket is closed; throws if it is still open after `timeoutMs`. */
  async waitClosed(timeoutMs = SOCKET_WAIT_MS): Promise<RawSocketClosed> {
    if (this.closedWith) return this.closedWith;
    await this.waitFor(() => false, timeoutMs, "close").catch(() => null);
    if (!this.closedWith) throw new Error(`raw socket: still open after ${timeoutMs} ms`);
    return this.closedWith;
  }

  /** The socket.io events (`42[…]` on the default namespace) received so far, parsed. */
  events(): Array<{ name: unknown; args: unknown[] }> {
    const out: Array<{ name: unknown; args: unknown[] }> = [];
    for (const m of this.messages) {
      if (m.kind !== "text" || !m.text.startsWith("42")) continue;
      const json = m.text.slice(2).replace(/^\d+/, "");
      try {
        const parsed = JSON.parse(json) as unknown;
        if (Array.isArray(parsed)) out.push({ name: parsed[0], args: parsed.slice(1) });
      } catch {
        out.push({ name: undefined, args: [m.text] });
      }
    }
    return out;
  }

  describe(): string {
    const shown = this.messages
      .slice(-5)
      .map((m) => (m.kind === "text" ? JSON.stringify(m.text.slice(0, 120)) : `<binary ${m.bytes.length}>`));
    return `${this.messages.length} messages [${shown.join(", ")}], ${this.closedWith ? `closed ${this.closedWith.code}` : "open"}`;
  }

  close() {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.terminate();
  }

  private notify() {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** An ack id's answer: `43<id>[…]` on the default namespace. */
export function ackMatcher(id: string) {
  const wanted = Number(id);
  return (m: RawMessage): boolean => {
    if (m.kind !== "text" || !m.text.startsWith("43")) return false;
    const sent = /^43([^[]*)\[/.exec(m.text)?.[1];
    // A huge id comes back re-encoded by Number() (`1e+21`, `Infinity`): compare as numbers too.
    return sent !== undefined && (sent === id || Number(sent) === wanted);
  };
}

/** The args of an ack frame. */
export function ackArgs(m: RawMessage): unknown[] {
  if (m.kind !== "text") throw new Error("binary ack");
  const json = m.text.replace(/^43[^[]*/, "");
  const parsed = JSON.parse(json) as unknown;
  if (!Array.isArray(parsed)) throw new Error(`ack is not an array: ${m.text.slice(0, 200)}`);
  return parsed;
}
