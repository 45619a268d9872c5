import { readFileSync } from "node:fs";
import path from "node:path";
import { FlagdCore, MemoryStorage } from "@openfeature/flagd-core";
import type { Logger } from "@openfeature/core";
import { FLAG_KEYS, FeatureTransportValue, TRANSPORT_NAMES, TransportName, transportEnabledFlag } from "@repo/protocol";
import { z } from "zod";
import { PACKAGE_ROOT } from "../package-root";

/** The committed default definitions (flagd format). FLAGS_FILE points elsewhere. */
export const DEFAULT_FLAGS_FILE = path.join(PACKAGE_ROOT, "flags/flags.json");

/** A definition the service cannot run with: `rule` says which rule failed, and where. */
export class FlagDefinitionError extends Error {
  constructor(
    readonly rule: string,
    source: string,
  ) {
    super(`Invalid flag definitions (${source}): ${rule}`);
    this.name = "FlagDefinitionError";
  }
}

const quietLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** What each flag the service reads must hold in every variant. */
const REQUIRED_FLAGS: Record<string, z.ZodType> = {
  [FLAG_KEYS.defaultTransport]: TransportName,
  [FLAG_KEYS.chatTransport]: FeatureTransportValue,
  [FLAG_KEYS.notificationsTransport]: FeatureTransportValue,
  [FLAG_KEYS.gameTransport]: FeatureTransportValue,
  [FLAG_KEYS.pollingIntervalMs]: z.number().int().min(100).max(60_000),
  [FLAG_KEYS.longPollHoldMs]: z.number().int().min(1000).max(120_000),
  [FLAG_KEYS.gameTickHz]: z.number().int().min(5).max(30),
  ...Object.fromEntries(TRANSPORT_NAMES.map((transport) => [transportEnabledFlag(transport), z.boolean()])),
};

interface SchemaIssue {
  instancePath?: string;
  message?: string;
  params?: { allowedValues?: unknown[]; additionalProperty?: string };
}

/** The first failed rule of flagd's schema, as one line ("/flags/x/state: must be one of ENABLED, DISABLED"). */
function firstRule(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const json = text.indexOf("[");
  if (json < 0) return text;
  try {
    const [issue] = JSON.parse(text.slice(json)) as SchemaIssue[];
    if (!issue) return text;
    const detail = issue.params?.allowedValues
      ? ` (${issue.params.allowedValues.join(", ")})`
      : issue.params?.additionalProperty
        ? ` ("${issue.params.additionalProperty}")`
        : "";
    return `${issue.instancePath || "/"}: ${issue.message ?? "invalid"}${detail}`;
  } catch {
    return text.slice(0, 500);
  }
}

/**
 * Checks a definition document: flagd's JSON schema (strict), flagd's own
 * semantic rules (a default variant that exists, …), then Switchboard's: every
 * flag the service reads is there, enabled, and every variant of it has the
 * right type. Throws FlagDefinitionError naming the rule; returns nothing on success.
 */
export function validateFlagDefinitions(json: string, source = "flags"): void {
  try {
    new MemoryStorage(quietLogger).setConfigurations(json, true);
  } catch (error) {
    throw new FlagDefinitionError(firstRule(error), source);
  }
  const core = new FlagdCore(undefined, quietLogger);
  core.setConfigurations(json);
  for (const [key, schema] of Object.entries(REQUIRED_FLAGS)) {
    const flag = core.getFlag(key);
    if (!flag) throw new FlagDefinitionError(`/flags/${key}: the service reads this flag; it must be defined`, source);
    if (flag.state !== "ENABLED") throw new FlagDefinitionError(`/flags/${key}/state: the service reads this flag; it must be ENABLED`, source);
    for (const [variant, value] of flag.variants) {
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        throw new FlagDefinitionError(`/flags/${key}/variants/${variant}: ${parsed.error.issues[0]?.message ?? "wrong type"} (got ${JSON.stringify(value)})`, source);
      }
    }
  }
}

/** Reads and validates a definitions file; a file that cannot be read or is invalid throws FlagDefinitionError. */
export function readFlagDefinitions(file: string = DEFAULT_FLAGS_FILE): string {
  let json: string;
  try {
    json = readFileSync(file, "utf8");
  } catch (error) {
    throw new FlagDefinitionError(`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, file);
  }
  validateFlagDefinitions(json, file);
  return json;
}
