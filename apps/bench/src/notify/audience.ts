import { performance } from "node:perf_hooks";
import { createClient, type RealtimeClient } from "@repo/client";
import { BROADCAST_TOPIC, NOTIFY_EVENTS, NotifyEvent, notifyTopic, type TransportName } from "@repo/protocol";

export interface Listener {
  userId: string;
  token: string;
}

/**
 * N signed-in users, each with one SDK client on one transport following what
 * the web app follows for the badge: their own `notify:<id>` and the shared
 * `notify:broadcast`. Records when each user first received each broadcast
 * (by title), and counts any second copy as doubled.
 */
export class Audience {
  private readonly clients: RealtimeClient[] = [];
  private readonly arrivals = new Map<string, Map<string, number>>();
  doubled = 0;

  constructor(
    private readonly url: string,
    readonly transport: TransportName,
  ) {}

  async open(listeners: Listener[], progress: (opened: number) => void): Promise<void> {
    let opened = 0;
    const batch = 50;
    for (let start = 0; start < listeners.length; start += batch) {
      await Promise.all(
        listeners.slice(start, start + batch).map(async (listener) => {
          const client = createClient({ url: this.url, transport: this.transport, auth: { token: listener.token } });
          this.clients.push(client);
          const onEvent = (envelope: { type: string; payload: unknown }) => this.record(listener.userId, envelope);
          client.subscribe(BROADCAST_TOPIC, onEvent);
          client.subscribe(notifyTopic(listener.userId), onEvent);
          await client.whenOpen();
          progress(++opened);
        }),
      );
    }
  }

  private record(userId: string, envelope: { type: string; payload: unknown }) {
    const at = performance.now();
    const event = NotifyEvent.safeParse(envelope);
    if (!event.success || event.data.type !== NOTIFY_EVENTS.broadcastCreated) return;
    const title = event.data.payload.notification.title;
    let byUser = this.arrivals.get(title);
    if (!byUser) this.arrivals.set(title, (byUser = new Map<string, number>()));
    if (byUser.has(userId)) this.doubled++;
    else byUser.set(userId, at);
  }

  /** Arrival times (performance.now) of one broadcast so far, one per user who has it. */
  arrivalsOf(title: string): number[] {
    return [...(this.arrivals.get(title)?.values() ?? [])];
  }

  close(): void {
    for (const client of this.clients) client.close();
    this.clients.length = 0;
  }
}
