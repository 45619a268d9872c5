// Who is reading the room: the presence list read once per entry (and after a reset), kept
// current by presence events, including those that arrive while the list is being read.
import { ChatPresenceResponse, chatPaths, type User } from "@repo/protocol";
import type { RoomContext } from "./room-context";

interface PresenceChange {
  readonly user: User;
  readonly present: boolean;
}

export class RoomPresence {
  private readonly present = new Map<string, User>();
  /** Per list read under way: the changes received meanwhile (replayed on top of its answer). */
  private readonly replays = new Set<PresenceChange[]>();

  constructor(private readonly context: RoomContext) {}

  /** Reads who is in the room now. A failed read changes nothing: events keep the list going. */
  async load(generation: number): Promise<void> {
    const replay: PresenceChange[] = [];
    this.replays.add(replay);
    let answer: ChatPresenceResponse;
    try {
      answer = await this.context.client.get(chatPaths.presence(this.context.roomId), ChatPresenceResponse);
    } catch {
      return;
    } finally {
      this.replays.delete(replay);
    }
    if (!this.context.live(generation)) return;
    this.present.clear();
    for (const user of answer.users) this.present.set(user.id, user);
    // Events that arrived while the request was out may be newer than its answer.
    for (const change of replay) this.set(change);
    this.context.changed();
  }

  /** A presence event: someone started or stopped reading the room. */
  apply(user: User, present: boolean): void {
    const change = { user, present };
    for (const replay of this.replays) replay.push(change);
    this.set(change);
  }

  /** By name; me included while I am reading the room, whatever the server's list says yet. */
  list(reading: boolean): User[] {
    const users = new Map(this.present);
    if (reading) users.set(this.context.me.id, this.context.me);
    return [...users.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  private set({ user, present }: PresenceChange): void {
    if (present) this.present.set(user.id, user);
    else this.present.delete(user.id);
  }
}
