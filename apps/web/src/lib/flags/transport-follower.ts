// Keeps one feature's realtime client on the transport assigned to it (flag or override),
// switching in place when the assignment changes (the SDK hands every cursor over), and
// records when the service moved it instead (a kill switch, a fallback, an upgrade) so the
// header can say so. Framework-free; React reads it with useSyncExternalStore.
import type { Assignment, Feature } from "./feature-transport";

/** What the SDK reports when it moved a client on its own; `reason` is shown as given. */
export interface TransportMove {
  from: string;
  to: string;
  reason: string;
}

/** The part of a RealtimeClient a follower drives. */
export interface SwitchableClient {
  readonly transportInUse: string;
  switchTransport(name: string): void;
  on(event: "moved", listener: (move: TransportMove) => void): () => void;
}

/** Why the client is on the transport it is on now. */
export type TransportCause = Assignment["source"] | { kind: "moved"; from: string; reason: string };

export interface TransportChange {
  from: string;
  to: string;
  cause: TransportCause;
  /** Counts changes, so the same words twice still read as news. */
  sequence: number;
}

export interface FollowerSnapshot {
  feature: Feature;
  transport: string;
  assignment: Assignment;
  cause: TransportCause;
  lastChange: TransportChange | null;
}

export class TransportFollower {
  private readonly listeners = new Set<() => void>();
  private readonly stopListening: () => void;
  private assignment: Assignment;
  private moved: { from: string; reason: string } | null = null;
  private assignedEnabled: boolean | null;
  private lastChange: TransportChange | null = null;
  private cached: FollowerSnapshot | null = null;

  constructor(
    readonly feature: Feature,
    private readonly client: SwitchableClient,
    initial: Assignment & { enabled: boolean | null },
  ) {
    this.assignment = initial;
    this.assignedEnabled = initial.enabled;
    if (client.transportInUse !== initial.transport) client.switchTransport(initial.transport);
    this.stopListening = client.on("moved", (move) => {
      this.moved = { from: move.from, reason: move.reason };
      this.record(move.from, move.to, { kind: "moved", from: move.from, reason: move.reason });
    });
  }

  /**
   * A new reading of the flags and the URL. A different transport switches the client; the
   * same one only refreshes why. After the service moved the client, the assignment it moved
   * away from is not forced back (the service would refuse it), unless that transport's kill
   * switch was seen off and is now on again.
   */
  assign(next: Assignment, enabled: boolean | null): void {
    const reEnabled = this.assignedEnabled === false && enabled === true && next.transport === this.assignment.transport;
    this.assignedEnabled = enabled;
    const changedTransport = next.transport !== this.assignment.transport;
    const sameSource = JSON.stringify(next.source) === JSON.stringify(this.assignment.source);
    this.assignment = next;
    if (changedTransport || (reEnabled && this.moved)) {
      const from = this.client.transportInUse;
      if (from !== next.transport) {
        this.moved = null;
        this.client.switchTransport(next.transport);
        this.record(from, next.transport, next.source);
        return;
      }
    }
    if (!sameSource || changedTransport) this.changed();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  getSnapshot = (): FollowerSnapshot => {
    this.cached ??= {
      feature: this.feature,
      transport: this.client.transportInUse,
      assignment: this.assignment,
      cause: this.moved ? { kind: "moved", ...this.moved } : this.assignment.source,
      lastChange: this.lastChange,
    };
    return this.cached;
  };

  dispose(): void {
    this.stopListening();
    this.listeners.clear();
  }

  private record(from: string, to: string, cause: TransportCause): void {
    this.lastChange = { from, to, cause, sequence: (this.lastChange?.sequence ?? 0) + 1 };
    this.changed();
  }

  private changed(): void {
    this.cached = null;
    for (const listener of [...this.listeners]) listener();
  }
}
