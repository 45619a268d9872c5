// The header's words for why a feature's client is on its transport, and for a change of it.
import { TransportName } from "@repo/protocol";
import { TRANSPORT_LABELS } from "../transport";
import { FEATURE_LABELS } from "./feature-transport";
import type { TransportCause, TransportChange } from "./transport-follower";
import type { Feature } from "./feature-transport";

/** A transport's label; a name the app does not know (an SDK's own transport) as it is. */
export function transportLabel(name: string): string {
  const parsed = TransportName.safeParse(name);
  return parsed.success ? TRANSPORT_LABELS[parsed.data] : name;
}

/** Words for the SDK's move reasons; another reason is shown as it is (`a_b` → `a b`). */
const REASON_WORDS: Record<string, string> = {
  transport_disabled: "switched off by the service",
  fallback: "fell back: the wanted transport did not get through",
  upgrade: "upgraded: the wanted transport works again",
};

function reasonWords(reason: string): string {
  return REASON_WORDS[reason] ?? reason.replace(/[_-]+/g, " ");
}

export function causeText(cause: TransportCause): string {
  switch (cause.kind) {
    case "override":
      return "URL override";
    case "flag":
      return cause.via ? `flag ${cause.via} → ${cause.flag}` : `flag ${cause.flag}`;
    case "built-in":
      return "built-in default (flags not read)";
    case "moved":
      return `moved from ${transportLabel(cause.from)} (${reasonWords(cause.reason)})`;
  }
}

export function changeText(feature: Feature, change: TransportChange): string {
  const what = `${FEATURE_LABELS[feature]}: ${transportLabel(change.from)} → ${transportLabel(change.to)}`;
  return change.cause.kind === "moved"
    ? `${what}, ${reasonWords(change.cause.reason)}`
    : `${what}, ${causeText(change.cause)}`;
}
