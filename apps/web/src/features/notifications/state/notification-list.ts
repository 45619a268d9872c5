// The notifications held, newest first, one per id. Ids are UUIDs v7 (time order), so the merged
// list of one's own notifications and the broadcasts sorts by id; a notification in a page and
// in an event too is kept once.
import type { Notification } from "@repo/protocol";

export class NotificationList {
  private readonly byId = new Map<string, Notification>();
  private sorted: Notification[] | null = [];

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): Notification | undefined {
    return this.byId.get(id);
  }

  /** Newest first. */
  items(): Notification[] {
    this.sorted ??= [...this.byId.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return this.sorted;
  }

  oldest(): Notification | undefined {
    return this.items().at(-1);
  }

  /** Adds it, or replaces the one held with the same id. */
  upsert(notification: Notification): void {
    this.byId.set(notification.id, notification);
    this.sorted = null;
  }

  replaceAll(notifications: readonly Notification[]): void {
    this.byId.clear();
    for (const notification of notifications) this.byId.set(notification.id, notification);
    this.sorted = null;
  }

  remove(id: string): void {
    if (this.byId.delete(id)) this.sorted = null;
  }

  /** Marks it read; false when it is not held. */
  markRead(id: string): boolean {
    const held = this.byId.get(id);
    if (!held) return false;
    if (!held.read) this.upsert({ ...held, read: true });
    return true;
  }

  /** Marks every notification with an id up to `readThrough` read. */
  markReadThrough(readThrough: string): void {
    for (const held of this.byId.values()) {
      if (!held.read && held.id <= readThrough) this.byId.set(held.id, { ...held, read: true });
    }
    this.sorted = null;
  }

  /** Broadcasts listed as silent (or not), after the preference changed. */
  setBroadcastsSilent(silent: boolean): void {
    for (const held of this.byId.values()) {
      if (held.kind === "broadcast" && held.silent !== silent) this.byId.set(held.id, { ...held, silent });
    }
    this.sorted = null;
  }
}
