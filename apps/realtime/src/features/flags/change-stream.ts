import type { ServerResponse } from "node:http";
import type { FlagsChange } from "../../flags/flag-store";

export interface ChangeStreamLimits {
  /** Open change streams per client address. */
  perIp: number;
  /** Open change streams in all. */
  total: number;
  heartbeatMs: number;
}

/**
 * The OFREP change stream's open connections: each gets a
 * `refetchEvaluation` message per change of definitions and a comment
 * heartbeat (so proxies and dead peers are noticed). The stream says only
 * that something changed (an etag), never a value, so it needs no session;
 * the limits bound what a stranger can hold open.
 */
/** A stream whose reader lets this much pile up has stopped reading: it is cut (it may reconnect). */
const MAX_QUEUED_BYTES = 64 * 1024;

export class ChangeStreams {
  private readonly open = new Set<ServerResponse>();
  private readonly perIp = new Map<string, number>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly limits: ChangeStreamLimits) {
    this.heartbeat = setInterval(() => {
      for (const res of this.open) this.write(res, ":\n\n");
    }, limits.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Whether one more stream from `ip` fits. */
  admits(ip: string): boolean {
    return this.open.size < this.limits.total && (this.perIp.get(ip) ?? 0) < this.limits.perIp;
  }

  add(res: ServerResponse, ip: string, current: { etag: string; lastModified: number }): void {
    this.open.add(res);
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    res.on("close", () => {
      this.open.delete(res);
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left > 0) this.perIp.set(ip, left);
      else this.perIp.delete(ip);
    });
    // The first bytes flush the headers through proxies; the id lets a reconnect compare versions.
    res.write(`retry: 2000\nid: ${current.etag}\n: connected at ${current.lastModified}\n\n`);
  }

  broadcast(change: FlagsChange): void {
    const message = JSON.stringify({ type: "refetchEvaluation", etag: change.etag, lastModified: change.lastModified });
    for (const res of this.open) this.write(res, `id: ${change.etag}\ndata: ${message}\n\n`);
  }

  private write(res: ServerResponse, text: string): void {
    if (res.writableLength > MAX_QUEUED_BYTES) {
      res.destroy();
      return;
    }
    res.write(text);
  }

  get size(): number {
    return this.open.size;
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.open) res.end();
    this.open.clear();
    this.perIp.clear();
  }
}
