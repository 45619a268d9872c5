import type { EvaluationContext, JsonValue, Logger, ResolutionDetails } from "@openfeature/core";
import { OpenFeatureEventEmitter, ProviderEvents, type Provider } from "@openfeature/server-sdk";
import type { FlagStore } from "./flag-store";

/**
 * The OpenFeature server provider over the service's FlagStore: every read the
 * service makes goes through the OpenFeature client (so hooks see it), and
 * a change of definitions is the provider's ConfigurationChanged event.
 */
export class FlagStoreProvider implements Provider {
  readonly metadata = { name: "switchboard-flagd-core" } as const;
  readonly runsOn = "server" as const;
  readonly events = new OpenFeatureEventEmitter();
  private readonly stopListening: () => void;

  constructor(private readonly store: FlagStore) {
    this.stopListening = store.onChange(({ flagsChanged }) => this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged }));
  }

  resolveBooleanEvaluation(key: string, fallback: boolean, context: EvaluationContext, _logger: Logger): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.store.resolveBoolean(key, fallback, context));
  }

  resolveStringEvaluation(key: string, fallback: string, context: EvaluationContext, _logger: Logger): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.store.resolveString(key, fallback, context));
  }

  resolveNumberEvaluation(key: string, fallback: number, context: EvaluationContext, _logger: Logger): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.store.resolveNumber(key, fallback, context));
  }

  resolveObjectEvaluation<T extends JsonValue>(key: string, fallback: T, context: EvaluationContext, _logger: Logger): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.store.resolveObject(key, fallback, context));
  }

  onClose(): Promise<void> {
    this.stopListening();
    return Promise.resolve();
  }
}
