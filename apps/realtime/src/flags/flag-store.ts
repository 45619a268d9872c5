import { createHash } from "node:crypto";
import { FlagdCore } from "@openfeature/flagd-core";
import type { EvaluationContext, EvaluationDetails, JsonValue, Logger } from "@openfeature/core";
import { validateFlagDefinitions } from "./flag-definitions";

export interface FlagsChange {
  /** Hash of the definitions now in force. */
  etag: string;
  /** Seconds since the epoch when they took effect. */
  lastModified: number;
  /** Keys added, removed or changed. */
  flagsChanged: string[];
}

/** The tag of a definitions document: the same text, the same tag, on every instance. */
export function etagOf(definitions: string): string {
  return createHash("sha256").update(definitions).digest("base64url").slice(0, 22);
}

/** The flag keys a change from one valid document to another adds, removes or changes. */
export function changedFlagKeys(from: string, to: string): string[] {
  const quiet: Logger = { error() {}, warn() {}, info() {}, debug() {} };
  const core = new FlagdCore(undefined, quiet);
  core.setConfigurations(from);
  return core.setConfigurations(to);
}

/**
 * The flag definitions in force, evaluated in process by flagd-core (the same
 * evaluator for the service's own reads and for browsers over OFREP, so the
 * two ends never disagree). `load` validates before anything changes: a bad
 * document leaves the current one in force.
 */
export class FlagStore {
  private readonly core: FlagdCore;
  private readonly listeners = new Set<(change: FlagsChange) => void>();
  etag = "";
  lastModified = 0;
  /** The document in force, as loaded. */
  definitions = "";

  constructor(
    definitions: string,
    private readonly logger: Logger,
    source = "flags",
  ) {
    this.core = new FlagdCore(undefined, logger);
    this.load(definitions, source);
  }

  /** Validates and applies a definition document; tells listeners which flags changed (none: no event). */
  load(definitions: string, source = "flags"): string[] {
    validateFlagDefinitions(definitions, source);
    const flagsChanged = this.core.setConfigurations(definitions);
    this.definitions = definitions;
    const etag = etagOf(definitions);
    if (flagsChanged.length === 0 && this.etag !== "") {
      // Same flags, other text (e.g. re-indented): the tag follows the text, silently.
      this.etag = etag;
      return [];
    }
    this.etag = etag;
    this.lastModified = Math.floor(Date.now() / 1000);
    const change = { etag: this.etag, lastModified: this.lastModified, flagsChanged };
    for (const listener of this.listeners) listener(change);
    return flagsChanged;
  }

  /** Called after every change; returns the removal. */
  onChange(listener: (change: FlagsChange) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  has(key: string): boolean {
    return this.core.getFlag(key) !== undefined;
  }

  resolveBoolean(key: string, fallback: boolean, context: EvaluationContext) {
    return this.core.resolveBooleanEvaluation(key, fallback, context, this.logger);
  }

  resolveString(key: string, fallback: string, context: EvaluationContext) {
    return this.core.resolveStringEvaluation(key, fallback, context, this.logger);
  }

  resolveNumber(key: string, fallback: number, context: EvaluationContext) {
    return this.core.resolveNumberEvaluation(key, fallback, context, this.logger);
  }

  resolveObject<T extends JsonValue>(key: string, fallback: T, context: EvaluationContext) {
    return this.core.resolveObjectEvaluation(key, fallback, context, this.logger);
  }

  /** Every enabled flag for one context (what an OFREP bulk answer lists). */
  resolveAll(context: EvaluationContext): EvaluationDetails<JsonValue>[] {
    return this.core.resolveAll(context, this.logger);
  }
}
