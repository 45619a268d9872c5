// The signed-in user's notifications, live: loads the first page (and the unread count) and the
// preferences over HTTP, then follows `notify:<me>` and `notify:broadcast` from the positions the
// page was read at (no gap), merging by id (no duplicate). A reset refetches. Read state and
// preferences changed on another tab or device arrive as events on `notify:<me>`.
// Framework-free; React reads it through `subscribe` / `getSnapshot` (useSyncExternalStore).
import { failureText, type RealtimeClient } from "@repo/client";
import {
  BROADCAST_TOPIC,
  NOTIFY_LIMITS,
  NotificationPreferencesResponse,
  NotificationsResponse,
  NotifyEvent,
  notificationsPaths,
  notifyTopic,
  type EventEnvelope,
  type Notification,
  type Position,
  type Topic,
  type User,
} from "@repo/protocol";
import { LiveStore } from "@/lib/live-store";
import { NotifyState } from "./notify-state";
import type { ActionResult, NotificationsPhase, NotificationsSnapshot, NotifyTraffic } from "./notifications-snapshot";

/** After a failed refetch, try again after these delays (the last one repeats). */
const REFETCH_RETRY_MS = [1000, 2000, 5000, 10_000] as const;

/** An event applied while a refetch was out: replayed on top of its page unless the page came after it. */
interface Journaled {
  topic: Topic;
  position: Position;
  event: NotifyEvent;
}

type ArrivalListener = (notification: Notification) => void;

export class NotificationsStore extends LiveStore<NotificationsSnapshot> {
  private readonly arrivalListeners = new Set<ArrivalListener>();

  private phase: NotificationsPhase = "loading";
  private error: string | null = null;
  private readonly state = new NotifyState();
  private loadingOlder = false;
  private olderError: string | null = null;
  private traffic: Record<string, NotifyTraffic> = {};

  private unsubscribers: Array<() => void> = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** While a refetch is out: what arrived meanwhile. Null when none is. */
  private journal: Journaled[] | null = null;
  private refetchAgain = false;
  /** Bumped when the list is replaced: an older page asked for before is dropped. */
  private replacements = 0;

  /** `notify:<me>`, then `notify:broadcast`. */
  readonly topics: readonly [Topic, Topic];

  constructor(
    private readonly client: RealtimeClient,
    readonly me: User,
  ) {
    super();
    this.topics = [notifyTopic(me.id), BROADCAST_TOPIC];
  }

  // ---- React binding ---------------------------------------------------------------------

  protected snapshotNow(): NotificationsSnapshot {
    return {
      phase: this.phase,
      error: this.error,
      items: this.state.list.items(),
      unread: this.state.unread,
      hasMore: this.state.nextBefore !== null,
      loadingOlder: this.loadingOlder,
      olderError: this.olderError,
      preferences: this.state.preferences,
      traffic: this.traffic,
    };
  }

  /** A notification that just arrived live and asks for attention (unread, not silent). Returns the unsubscribe. */
  onArrival(listener: ArrivalListener): () => void {
    this.arrivalListeners.add(listener);
    return () => void this.arrivalListeners.delete(listener);
  }

  // ---- lifecycle -------------------------------------------------------------------------

  /** stop(): both topics, the timers and any refetch let go. (start() loads the first page and follows both topics.) */
  protected release(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.journal = null;
    this.refetchAgain = false;
    this.loadingOlder = false;
  }

  protected async open(generation: number): Promise<void> {
    this.phase = "loading";
    this.error = null;
    this.changed();
    let page: NotificationsResponse;
    try {
      page = await this.readFirstPage();
    } catch (error) {
      if (this.live(generation)) this.fail(failureText(error));
      return;
    }
    if (!this.live(generation)) return;
    this.takePage(page);
    // From the positions read before the page: every later change arrives as an event.
    const cursors = this.positionsOf(page);
    for (const topic of this.topics) {
      this.unsubscribers.push(
        this.client.subscribe(topic, (envelope) => this.onEnvelope(envelope), {
          cursor: cursors[topic],
          onReset: () => this.refetch(generation),
          onError: (error) => {
            if (this.live(generation)) this.fail(failureText(error));
          },
        }),
      );
    }
    this.phase = "ready";
    this.changed();
  }

  private positionsOf(page: NotificationsResponse): Record<Topic, Position> {
    return { [this.topics[0]]: page.positions.user, [this.topics[1]]: page.positions.broadcast };
  }

  private fail(message: string): void {
    this.phase = "error";
    this.error = message;
    this.changed();
  }

  private async readFirstPage(): Promise<NotificationsResponse> {
    const [page, { preferences }] = await Promise.all([
      this.client.get(`${notificationsPaths.list}?limit=${NOTIFY_LIMITS.pageDefault}`, NotificationsResponse),
      this.client.get(notificationsPaths.preferences, NotificationPreferencesResponse),
    ]);
    this.state.preferences = preferences;
    return page;
  }

  private takePage(page: NotificationsResponse): void {
    this.replacements++;
    this.loadingOlder = false;
    this.olderError = null;
    this.state.takePage(page);
  }

  /**
   * The first page and the count again (after a reset, or when the broadcasts' preference
   * changed what counts as unread). The subscriptions carry on meanwhile; what they deliver
   * while the page is out is replayed on top of it, unless the page was read after it. A failed
   * read is tried again shortly.
   */
  private refetch(generation: number): void {
    if (!this.live(generation)) return;
    if (this.journal) {
      this.refetchAgain = true;
      return;
    }
    this.journal = [];
    void this.refetchUntilDone(generation);
  }

  private async refetchUntilDone(generation: number): Promise<void> {
    for (let failures = 0; ; ) {
      this.refetchAgain = false;
      try {
        const page = await this.readFirstPage();
        if (!this.live(generation)) return;
        const journal = this.journal ?? [];
        this.takePage(page);
        const positions = this.positionsOf(page);
        for (const { topic, position, event } of journal) {
          const at = positions[topic];
          if (at && position.epoch === at.epoch && position.offset > at.offset) this.state.apply(event);
        }
        this.changed();
        this.journal = this.refetchAgain ? [] : null;
        if (!this.journal) return;
        continue;
      } catch {
        if (!this.live(generation)) return;
      }
      const delay = REFETCH_RETRY_MS[Math.min(failures++, REFETCH_RETRY_MS.length - 1)]!;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          resolve();
        }, delay);
        this.timers.add(timer);
      });
      if (!this.live(generation)) return;
    }
  }

  // ---- what the topics deliver -----------------------------------------------------------

  private onEnvelope(envelope: EventEnvelope): void {
    const transport = this.client.transportInUse;
    const held = this.traffic[transport] ?? { events: 0, bytes: 0 };
    this.traffic = { ...this.traffic, [transport]: { events: held.events + 1, bytes: held.bytes + jsonBytes(envelope) } };
    const parsed = NotifyEvent.safeParse({ type: envelope.type, payload: envelope.payload });
    if (parsed.success) {
      this.journal?.push({ topic: envelope.topic, position: { epoch: envelope.epoch, offset: envelope.offset }, event: parsed.data });
      const { arrived, refetch } = this.state.apply(parsed.data);
      if (refetch) this.refetch(this.generation);
      if (arrived) for (const listener of [...this.arrivalListeners]) listener(arrived);
    }
    this.changed();
  }

  // ---- actions ---------------------------------------------------------------------------

  /** Loads the page before the oldest notification held. */
  loadOlder = (): void => {
    const before = this.state.nextBefore;
    if (this.phase !== "ready" || this.loadingOlder || before === null || this.journal) return;
    const generation = this.generation;
    const replacements = this.replacements;
    this.loadingOlder = true;
    this.olderError = null;
    this.changed();
    const path = `${notificationsPaths.list}?before=${encodeURIComponent(before)}&limit=${NOTIFY_LIMITS.pageDefault}`;
    // After a refetch replaced the list, an older answer would join it across a gap.
    const current = () => this.live(generation) && replacements === this.replacements;
    this.client.get(path, NotificationsResponse).then(
      (page) => {
        if (!current()) return;
        this.loadingOlder = false;
        this.state.addOlder(page);
        this.changed();
      },
      (error: unknown) => {
        if (!current()) return;
        this.loadingOlder = false;
        this.olderError = failureText(error);
        this.changed();
      },
    );
  };

  markRead = (id: string): Promise<ActionResult> =>
    this.act(async () => {
      const result = await this.client.send({ type: "notify.markRead", payload: { notificationId: id } });
      return () => this.state.markRead(result.id, result.unread);
    });

  markAllRead = (): Promise<ActionResult> =>
    this.act(async () => {
      const result = await this.client.send({ type: "notify.markAllRead", payload: {} });
      return () => this.state.markReadThrough(result.readThrough, result.unread);
    });

  /** Stored by the service (which then makes no mention in a muted room); every tab hears it. */
  setPreferences = (patch: { silentBroadcasts?: boolean; mutedRooms?: string[] }): Promise<ActionResult> =>
    this.act(async () => {
      const { preferences } = await this.client.send({ type: "notify.setPreferences", payload: patch });
      return () => {
        if (this.state.takePreferences(preferences)) this.refetch(this.generation);
      };
    });

  /** Runs a command; its answer is applied unless the store stopped meanwhile (its event follows anyway). */
  private async act(run: () => Promise<() => void>): Promise<ActionResult> {
    const generation = this.generation;
    try {
      const apply = await run();
      if (this.live(generation)) {
        apply();
        this.changed();
      }
      return { ok: true };
    } catch (error) {
      return { ok: false, message: failureText(error) };
    }
  }
}

const encoder = new TextEncoder();

/** An event's size as JSON, in UTF-8 bytes. */
function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).length;
}
