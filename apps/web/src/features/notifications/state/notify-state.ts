// What the notifications' events and pages make of the state: the list, the unread count, the
// preferences, and the read marks heard (a notification reaching this tab after its read event
// is shown read). No I/O: the store feeds it pages and events in order.
import {
  NOTIFY_EVENTS,
  type Notification,
  type NotificationPreferences,
  type NotificationsResponse,
  type NotifyEvent,
} from "@repo/protocol";
import { NotificationList } from "./notification-list";

/** Ids read one by one (an event) before their notification reached this tab: remembered this many. */
const EARLY_READS_KEPT = 200;

export interface Applied {
  /** A notification that just arrived and asks for attention (unread, not silent); null otherwise. */
  arrived: Notification | null;
  /** What counts as unread changed and no event carries the new count: refetch the first page. */
  refetch: boolean;
}

const NOTHING: Applied = { arrived: null, refetch: false };

export class NotifyState {
  readonly list = new NotificationList();
  unread = 0;
  preferences: NotificationPreferences | null = null;
  /** `before` of the next older page; null when none is left. */
  nextBefore: string | null = null;

  /** The highest "everything up to here is read" mark heard. */
  private readThrough: string | null = null;
  private readonly earlyReads = new Set<string>();

  /** The first page replaces the list (and the count). */
  takePage(page: NotificationsResponse): void {
    this.list.replaceAll(page.notifications.map((n) => this.withReadHere(n)));
    this.unread = page.unread;
    this.nextBefore = page.nextBefore;
  }

  /** An older page is added below the list (the count stays the events'). */
  addOlder(page: NotificationsResponse): void {
    for (const notification of page.notifications) {
      if (!this.list.has(notification.id)) this.list.upsert(this.withReadHere(notification));
    }
    this.nextBefore = page.nextBefore;
  }

  /** One case per notify event type: a type added to the protocol fails to compile until handled here. */
  apply(event: NotifyEvent): Applied {
    switch (event.type) {
      case NOTIFY_EVENTS.notificationCreated: {
        const { notification, unread } = event.payload;
        const known = this.list.has(notification.id);
        const held = this.withReadHere(notification);
        this.list.upsert(held);
        this.unread = unread;
        return { arrived: known || held.read ? null : held, refetch: false };
      }
      case NOTIFY_EVENTS.broadcastCreated: {
        const { notification } = event.payload;
        if (this.list.has(notification.id)) return NOTHING; // in a page already, and counted there
        // The one event is everyone's: it carries no count and `silent: false`; apply my preference.
        const silent = this.preferences?.silentBroadcasts ?? false;
        const held = this.withReadHere({ ...notification, silent });
        this.list.upsert(held);
        if (silent || held.read) return NOTHING;
        this.unread++;
        return { arrived: held, refetch: false };
      }
      case NOTIFY_EVENTS.notificationRead:
        this.markRead(event.payload.id, event.payload.unread);
        return NOTHING;
      case NOTIFY_EVENTS.notificationRemoved:
        this.list.remove(event.payload.id);
        this.unread = event.payload.unread;
        return NOTHING;
      case NOTIFY_EVENTS.allRead:
        this.markReadThrough(event.payload.readThrough, event.payload.unread);
        return NOTHING;
      case NOTIFY_EVENTS.preferencesChanged:
        return { arrived: null, refetch: this.takePreferences(event.payload.preferences) };
      default: {
        const unhandled: never = event;
        return unhandled;
      }
    }
  }

  markRead(id: string, unread: number): void {
    if (!this.list.markRead(id)) {
      this.earlyReads.add(id);
      if (this.earlyReads.size > EARLY_READS_KEPT) this.earlyReads.delete(this.earlyReads.values().next().value!);
    }
    this.unread = unread;
  }

  markReadThrough(readThrough: string | null, unread: number): void {
    if (readThrough !== null) {
      if (this.readThrough === null || readThrough > this.readThrough) this.readThrough = readThrough;
      this.list.markReadThrough(readThrough);
    }
    this.unread = unread;
  }

  /** True when silent broadcasts were switched on or off: the count changed, with no event saying how. */
  takePreferences(preferences: NotificationPreferences): boolean {
    const silentChanged = this.preferences !== null && this.preferences.silentBroadcasts !== preferences.silentBroadcasts;
    this.preferences = preferences;
    if (silentChanged) this.list.setBroadcastsSilent(preferences.silentBroadcasts);
    return silentChanged;
  }

  private withReadHere<N extends Notification>(notification: N): N {
    if (notification.read) return notification;
    const read = this.earlyReads.has(notification.id) || (this.readThrough !== null && notification.id <= this.readThrough);
    return read ? { ...notification, read } : notification;
  }
}
