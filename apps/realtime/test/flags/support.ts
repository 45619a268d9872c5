import { readFileSync } from "node:fs";
import { DEFAULT_FLAGS_FILE } from "../../src/flags/flag-definitions";

interface FlagDocument {
  $schema?: string;
  flags: Record<string, Record<string, unknown>>;
}

/** The committed default definitions, parsed, for a test to change a copy of. */
export function defaultDefinitions(): FlagDocument {
  return JSON.parse(readFileSync(DEFAULT_FLAGS_FILE, "utf8")) as FlagDocument;
}

/** The defaults with some flags replaced or added, as JSON. */
export function definitionsWith(flags: Record<string, Record<string, unknown>>): string {
  const document = defaultDefinitions();
  return JSON.stringify({ ...document, flags: { ...document.flags, ...flags } });
}

const TRANSPORTS = { websocket: "websocket", sse: "sse", "long-polling": "long-polling", polling: "polling" };

/** `transport.chat` sending `percent` % of users to SSE (the rest follow the default), sticky per user. */
export function chatOnSse(percent: number): Record<string, Record<string, unknown>> {
  return {
    "transport.chat": {
      state: "ENABLED",
      variants: { default: "default", ...TRANSPORTS },
      defaultVariant: "default",
      targeting: { fractional: [["sse", percent], ["default", 100 - percent]] },
    },
  };
}

/** The defaults with the kill switch of `transport` set (false: switched off). */
export function killSwitch(transport: string, enabled: boolean): string {
  return definitionsWith({
    [`transport.${transport}.enabled`]: { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: enabled ? "on" : "off" },
  });
}
