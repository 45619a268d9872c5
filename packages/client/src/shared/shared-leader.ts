import { ProtocolError, type CursorMap, type Position, type Topic } from "@repo/protocol";
import type { RealtimeClient } from "../client";
import type { CommandInput } from "../client-types";
import { ConnectionError } from "../errors";
import type { FailureBody, FollowerMessage, Outgoing, ResultOutcome } from "./channel-messages";

/** What the leader says, to every tab (its own included). */
export type Publish = (message: Outgoing) => void;

/** Whether a tab's cursor is behind where the connection stands on a topic (it needs the events in between). */
function behind(cursor: Position | null, at: Position | null): boolean {
  if (cursor === null) return false;
  return at === null || (cursor.epoch === at.epoch && cursor.offset < at.offset);
}

export function failureBody(error: unknown): FailureBody | undefined {
  if (error instanceof ProtocolError) return error.toBody();
  if (error instanceof ConnectionError) return { code: error.code, message: error.message };
  return undefined;
}

/**
 * The leading tab's side of a shared client: one real client (`inner`) follows the union of
 * the topics every tab wants, and everything it delivers is published to all tabs, which
 * de-duplicate by offset. A tab that asks for a topic from a cursor behind the connection's (a
 * new leader's followers after a handover, or a late subscriber with a saved cursor) makes the
 * connection rewind the topic to that cursor: the events in between are sent again, and the
 * tabs that had them drop them.
 */
export class SharedLeader {
  /** The topics each tab follows. */
  private readonly tabs = new Map<string, Set<Topic>>();
  /** The inner client's subscription of each topic (null while a rewind waits for its tick). */
  private readonly following = new Map<Topic, (() => void) | null>();
  private readonly rewinds = new Map<Topic, Position>();
  /** Commands being run, by tab and request id: a tab that resends one to a leader already running it gets one answer. */
  private readonly running = new Set<string>();
  /** When each follower was last heard from: one that stops talking (its tab crashed) is dropped. */
  private readonly heard = new Map<string, number>();
  private readonly offs: Array<() => void> = [];
  private readonly sweep: ReturnType<typeof setInterval>;
  private stopped = false;

  constructor(
    private readonly inner: RealtimeClient,
    private readonly publish: Publish,
    /** A tab silent for this long is gone (followers repeat their `want` well within it). */
    silentMs: number,
    private readonly self: string,
  ) {
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const [tab, at] of this.heard) if (now - at > silentMs) this.forget(tab);
    }, silentMs / 4);
    (this.sweep as { unref?: () => void }).unref?.();
    this.offs.push(
      inner.on("status", (status, detail) => {
        const error = failureBody(detail.error);
        publish({ kind: "status", status, transport: detail.transport, wanted: inner.transportWanted, ...(error ? { error } : {}) });
      }),
      inner.on("closing", (notice) => publish({ kind: "closing", notice })),
    );
    publish({ kind: "leader" });
    publish({ kind: "status", status: inner.status, transport: inner.transportInUse, wanted: inner.transportWanted });
  }

  handle(message: FollowerMessage): void {
    if (this.stopped) return;
    if (message.from !== this.self) this.heard.set(message.from, Date.now());
    switch (message.kind) {
      case "want":
        return this.want(message.from, message.topics);
      case "leave":
        return this.forget(message.from);
      case "command":
        return void this.command(message.from, message.requestId, message.command as CommandInput & { id: string });
      case "control":
        if (message.action === "switch" && message.transport) this.inner.switchTransport(message.transport);
        else if (message.action === "reconnect") this.inner.reconnect();
        else if (message.action === "drop") this.inner.dropConnection();
        return;
    }
  }

  /** Stops leading: drops the inner subscriptions (the tab closes the inner client) and tells the tabs a new leader is due. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.sweep);
    for (const off of this.offs) off();
    for (const unsubscribe of this.following.values()) unsubscribe?.();
    this.following.clear();
    this.publish({ kind: "status", status: "reconnecting", transport: this.inner.transportInUse, wanted: this.inner.transportWanted });
  }

  private forget(tab: string): void {
    this.want(tab, {});
    this.tabs.delete(tab);
    this.heard.delete(tab);
  }

  private want(tab: string, topics: CursorMap): void {
    const before = this.tabs.get(tab) ?? new Set<Topic>();
    const now = new Set(Object.keys(topics));
    const at = this.inner.cursors();
    for (const topic of now) {
      if (before.has(topic)) continue;
      const cursor = topics[topic] ?? null;
      const position = at[topic] ?? null;
      if (!this.following.has(topic)) this.follow(topic, cursor);
      else if (cursor && behind(cursor, position)) this.rewind(topic, cursor);
      // A cursor from another epoch (history lost since it was saved): that tab is reset to where
      // the connection stands, as the server would reset a client of its own.
      else if (cursor && position && cursor.epoch !== position.epoch) this.publish({ kind: "reset", to: tab, reset: { topic, reason: "unknown_epoch", position } });
    }
    this.tabs.set(tab, now);
    for (const topic of before) if (!now.has(topic) && !this.wanted(topic)) this.unfollow(topic);
    const positions: CursorMap = {};
    const current = this.inner.cursors();
    for (const topic of now) if (current[topic]) positions[topic] = current[topic];
    this.publish({ kind: "positions", to: tab, topics: positions });
  }

  private wanted(topic: Topic): boolean {
    for (const topics of this.tabs.values()) if (topics.has(topic)) return true;
    return false;
  }

  private follow(topic: Topic, cursor: Position | null): void {
    try {
      const unsubscribe = this.inner.subscribe(topic, (event) => this.publish({ kind: "event", event }), {
        cursor,
        onReset: (reset) => this.publish({ kind: "reset", reset }),
        onSignal: (signal) => this.publish({ kind: "signal", signal }),
        onError: (error) => this.refused(topic, error),
      });
      this.following.set(topic, unsubscribe);
    } catch (error) {
      // Too many topics across the tabs, or an invalid one: refused like a server refusal.
      this.refused(topic, error instanceof ProtocolError ? error : new ProtocolError("validation", String(error)));
    }
  }

  private unfollow(topic: Topic): void {
    this.following.get(topic)?.();
    this.following.delete(topic);
    this.rewinds.delete(topic);
  }

  /**
   * Follows the topic again from an earlier cursor. The unsubscribe and the subscribe go in
   * separate ticks, so the transport hears "removed" then "added" (not a re-add it could ignore).
   */
  private rewind(topic: Topic, cursor: Position): void {
    const queued = this.rewinds.get(topic);
    if (queued && queued.epoch === cursor.epoch && queued.offset <= cursor.offset) return;
    this.rewinds.set(topic, cursor);
    if (queued) return;
    this.following.get(topic)?.();
    this.following.set(topic, null);
    setTimeout(() => {
      const from = this.rewinds.get(topic);
      this.rewinds.delete(topic);
      if (this.stopped || !from || !this.following.has(topic)) return;
      this.follow(topic, from);
    }, 0);
  }

  private refused(topic: Topic, error: ProtocolError): void {
    this.following.delete(topic);
    this.rewinds.delete(topic);
    for (const topics of this.tabs.values()) topics.delete(topic);
    this.publish({ kind: "refused", topic, error: error.toBody() });
  }

  private async command(tab: string, requestId: string, command: CommandInput & { id: string }): Promise<void> {
    const key = `${tab}\n${requestId}`;
    if (this.running.has(key)) return;
    this.running.add(key);
    let outcome: ResultOutcome;
    try {
      outcome = { ok: true, result: await this.inner.send(command) };
    } catch (error) {
      if (error instanceof ProtocolError) outcome = { ok: false, protocol: error.toBody() };
      else if (error instanceof ConnectionError) outcome = { ok: false, connection: { code: error.code, message: error.message } };
      else outcome = { ok: false, protocol: { code: "internal", message: String(error) } };
    } finally {
      this.running.delete(key);
    }
    // A leader that stopped meanwhile says nothing: the tab resends to the next one (same id, one effect).
    if (!this.stopped) this.publish({ kind: "result", to: tab, requestId, outcome });
  }
}
