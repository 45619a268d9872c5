// One realtime client per feature (chat, notifications, game), each made the first time its
// feature asks for it, each kept on its own transport by a TransportFollower. Every client also
// follows `flags:changes` on its own transport: whichever transport gets through tells the
// flags provider to refetch (once per change, see FlagChangeGate).
import { FLAGS_EVENTS, FLAGS_TOPIC, FlagsEvent, type EventEnvelope, type Topic } from "@repo/protocol";
import type { Assignment, Feature } from "./feature-transport";
import { FlagChangeGate } from "./flag-change-gate";
import { TransportFollower, type SwitchableClient, type TransportMove } from "./transport-follower";

/** The part of a RealtimeClient the registry needs. */
export interface FeatureClient extends SwitchableClient {
  subscribe(topic: Topic, onEvent: (event: EventEnvelope) => void): () => void;
  close(): void;
}

export interface FeatureClientsOptions<C extends FeatureClient> {
  /** Makes a feature's client, starting on `transport`. */
  create(feature: Feature, transport: string): C;
  /** A change of flag definitions was heard (once per change). */
  onFlagsChanged(change: { etag: string; flagsChanged: readonly string[]; spreadMs?: number }): void;
}

interface Entry<C> {
  client: C;
  follower: TransportFollower;
  stop: () => void;
}

export type FeatureFollowers = Partial<Record<Feature, TransportFollower>>;

export class FeatureClients<C extends FeatureClient> {
  private readonly entries = new Map<Feature, Entry<C>>();
  private readonly gate = new FlagChangeGate();
  private readonly moveListeners = new Set<(feature: Feature, move: TransportMove) => void>();
  private readonly listeners = new Set<() => void>();
  private followers: FeatureFollowers = {};
  private closed = false;

  constructor(private readonly options: FeatureClientsOptions<C>) {}

  /** The feature's client, made now (on its assignment) if it does not exist yet. */
  client(feature: Feature, assignment: Assignment, enabled: boolean | null): C {
    const existing = this.entries.get(feature);
    if (existing) return existing.client;
    if (this.closed) throw new Error("The feature clients are closed");
    const client = this.options.create(feature, assignment.transport);
    const follower = new TransportFollower(feature, client, { ...assignment, enabled });
    const stopFlags = client.subscribe(FLAGS_TOPIC, (envelope) => this.heard(envelope));
    const stopMoves = client.on("moved", (move) => {
      for (const listener of [...this.moveListeners]) listener(feature, move);
    });
    this.entries.set(feature, {
      client,
      follower,
      stop: () => {
        stopFlags();
        stopMoves();
        follower.dispose();
        client.close();
      },
    });
    this.followers = { ...this.followers, [feature]: follower };
    // Made while a component renders: tell the others (the header) after it, not during it.
    queueMicrotask(() => this.changed());
    return client;
  }

  /** A new reading of the flags and the URL for a feature (nothing happens until its client exists). */
  assign(feature: Feature, assignment: Assignment, enabled: boolean | null): void {
    this.entries.get(feature)?.follower.assign(assignment, enabled);
  }

  /** Each time the SDK moves a feature's client on its own. */
  onMoved(listener: (feature: Feature, move: TransportMove) => void): () => void {
    this.moveListeners.add(listener);
    return () => void this.moveListeners.delete(listener);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  /** The features whose client exists, with their followers. */
  getSnapshot = (): FeatureFollowers => this.followers;

  close(): void {
    this.closed = true;
    for (const entry of this.entries.values()) entry.stop();
    this.entries.clear();
    this.followers = {};
    this.changed();
  }

  private heard(envelope: EventEnvelope): void {
    const event = FlagsEvent.safeParse({ type: envelope.type, payload: envelope.payload });
    if (!event.success || event.data.type !== FLAGS_EVENTS.changed) return;
    if (!this.gate.admit(envelope)) return;
    this.options.onFlagsChanged(event.data.payload);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
