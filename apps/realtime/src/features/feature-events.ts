import type { FastifyBaseLogger } from "fastify";

/**
 * The events features hear from each other, in process, by name. Each feature
 * adds its own by declaration merging, beside its code:
 *
 *   declare module "../feature-events" {
 *     interface FeatureEventMap { "chat.messagePosted": ChatMessagePosted }
 *   }
 *
 * so a feature listens to another's events without importing that feature.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging in each feature
export interface FeatureEventMap {}

export type FeatureEventName = keyof FeatureEventMap;
export type FeatureEventListener<K extends FeatureEventName> = (payload: FeatureEventMap[K]) => void | Promise<void>;

export interface FeatureEvents {
  /** Hears `name` from now on; returns the removal. */
  on<K extends FeatureEventName>(name: K, listener: FeatureEventListener<K>): () => void;
  /**
   * Runs every listener of `name`, one after another, and resolves when all are
   * done. Emitted by the instance that ran the command, so each happening has one
   * producer. A listener that throws is logged and skipped: it never fails the emitter.
   */
  emit<K extends FeatureEventName>(name: K, payload: FeatureEventMap[K]): Promise<void>;
}

export function createFeatureEvents(log: FastifyBaseLogger): FeatureEvents {
  const listeners = new Map<FeatureEventName, Set<(payload: never) => void | Promise<void>>>();
  return {
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener);
      return () => void set.delete(listener);
    },
    async emit(name, payload) {
      for (const listener of [...(listeners.get(name) ?? [])]) {
        try {
          await (listener as FeatureEventListener<typeof name>)(payload);
        } catch (error) {
          log.error({ err: error, event: name }, "a feature event listener failed");
        }
      }
    },
  };
}
