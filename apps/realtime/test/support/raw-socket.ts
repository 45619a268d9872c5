import WebSocket from "ws";

/** Every wait on a raw socket is bounded by this (ms), unless the caller says otherwise. */
export const SOCKET_WAIT_MS = 3000;
/** How long `emit` waits for its ack (ms): acks may queue behind a large catch-up. */
export const ACK_WAIT_MS = 10_000;

export type RawMessage = { kind: "text"; text: string } | { kind: "binary"; bytes: Buffer };

export interface RawSocketClosed {
  code: number;
  reason: string;
}

/** A socket.io event (`42[name, ...args]` on the default namespace) as received. */
export interface RawEvent {
  name: unknown;
  args: unknown[];
}

/**
 * A minimal engine.io v4 / socket.io v5 speaker over `ws`: it sends exactly the
 * frames it is given (malformed ones included), so tests can send what no real
 * client would, the way an attacker would. It answers pings (`2` → `3`) and
 * records every message, every event and the close.
 *
 * Waits resolve to null when the socket closes first (a close is an answer the
 * tests check) and throw when nothing comes in time (a hang is a failure).
 */
export class RawSocket {
  /** Every message received, in order. */
  readonly messages: RawMessage[] = [];
  /** The socket.io events among them, in order. */
  readonly events: RawEvent[] = [];
  closedWith: RawSocketClosed | null = null;
  private readonly waiters = new Set<() => void>();
  // `emit` numbers its acks from 1, like socket.io-client.
  private nextAckId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (!isBinary) {
        const text = bytes.toString("utf8");
        if (text === "2") ws.send("3");
        this.messages.push({ kind: "text", text });
        if (text.startsWith("42")) this.events.push(parseEvent(text));
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
    const opened = await socket.waitFor((m) => m.kind === "text" && m.text.startsWith("0{"), options.timeoutMs ?? SOCKET_WAIT_MS, "engine.io open packet");
    if (!opened) throw new Error(`raw socket: closed before the engine.io open packet (${socket.describe()})`);
    return socket;
  }

  /**
   * Opens and connects the default namespace with `auth: { token }`; resolves once `40{"sid":…}`
   * arrives, throws on a refusal (`44…`) or a close.
   */
  static async connect(baseUrl: string, token: string, options: { headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<RawSocket> {
    const socket = await RawSocket.open(baseUrl, options);
    const from = socket.messages.length;
    socket.send(`40${JSON.stringify({ token })}`);
    const answer = await socket.waitFor((m) => m.kind === "text" && /^4[04]/.test(m.text), options.timeoutMs ?? SOCKET_WAIT_MS, "namespace connect", from);
    if (answer?.kind === "text" && answer.text.startsWith("40")) return socket;
    socket.close();
    throw new Error(`raw socket: connect refused (${socket.describe()})`);
  }

  get open(): boolean {
    return this.closedWith === null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends one raw frame (text, or binary for a Buffer); a socket already gone swallows it. */
  send(frame: string | Buffer) {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(frame, { binary: Buffer.isBuffer(frame) });
  }

  /** Sends `42<id>[event, ...args]` and resolves to the ack's arguments; throws on a close or after `ACK_WAIT_MS`. */
  async emit(event: string, ...args: unknown[]): Promise<unknown[]> {
    const id = String(this.nextAckId++);
    const from = this.messages.length;
    this.send(`42${id}${JSON.stringify([event, ...args])}`);
    const ack = await this.waitFor(ackMatcher(id), ACK_WAIT_MS, `ack ${id} for ${event}`, from);
    if (!ack) throw new Error(`raw socket: closed before the ack for ${event} (${this.describe()})`);
    return ackArgs(ack);
  }

  /** Waits until a message at index `from` or later matches; null if the socket closes first. */
  waitFor(match: (m: RawMessage) => boolean, timeoutMs = SOCKET_WAIT_MS, what = "a frame", from = 0): Promise<RawMessage | null> {
    let next = from;
    // Scans only what arrived since the last look: a wait over thousands of frames stays linear.
    return this.until(() => {
      for (; next < this.messages.length; next++) {
        const message = this.messages[next]!;
        if (match(message)) return message;
      }
      return undefined;
    }, timeoutMs, what);
  }

  /** Waits for the first event named `name` (received at any time); null if the socket closes first. */
  waitForEvent(name: string, timeoutMs = ACK_WAIT_MS): Promise<RawEvent | null> {
    let next = 0;
    return this.until(() => {
      for (; next < this.events.length; next++) {
        const event = this.events[next]!;
        if (event.name === name) return event;
      }
      return undefined;
    }, timeoutMs, `${name} event`);
  }

  /** Waits until the socket is closed; throws if it is still open after `timeoutMs`. */
  async waitClosed(timeoutMs = SOCKET_WAIT_MS): Promise<RawSocketClosed> {
    await this.until(() => undefined, timeoutMs, "close").catch(() => null);
    if (!this.closedWith) throw new Error(`raw socket: still open after ${timeoutMs} ms (${this.describe()})`);
    return this.closedWith;
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

  /** Resolves to what `find` finds, re-asked on every message; null once closed; throws after `timeoutMs`. */
  private until<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T | null> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    if (this.closedWith) return Promise.resolve(null);
    return new Promise<T | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`raw socket: no ${what} within ${timeoutMs} ms (got ${this.describe()})`));
      }, timeoutMs);
      const check = () => {
        const hit = find();
        if (hit !== undefined || this.closedWith) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(hit ?? null);
        }
      };
      this.waiters.add(check);
    });
  }

  private notify() {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** `42[…]` or `42<id>[…]`; a frame that does not parse is kept whole as the only argument. */
function parseEvent(text: string): RawEvent {
  const json = text.slice(2).replace(/^\d+/, "");
  try {
    const parsed = JSON.parse(json) as unknown;
    if (Array.isArray(parsed)) return { name: parsed[0], args: parsed.slice(1) };
  } catch {
    // fall through
  }
  return { name: undefined, args: [text] };
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
