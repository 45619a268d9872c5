// Which transport each feature's realtime client should be on, and why: the `?transport=`
// override (a demo switch for every feature), else the feature's flag (`transport.chat`, …),
// whose value `default` follows `transport.default`, else the built-in default when the flags
// cannot be read. Pure, so the rules are unit-tested apart from React and the network.
import { FLAG_KEYS, FOLLOW_DEFAULT_TRANSPORT, FeatureTransportValue, TransportName } from "@repo/protocol";
import { DEFAULT_TRANSPORT } from "../transport";

export const FEATURES = ["chat", "notifications", "game"] as const;
export type Feature = (typeof FEATURES)[number];

export const FEATURE_LABELS: Record<Feature, string> = {
  chat: "Chat",
  notifications: "Notifications",
  game: "Game",
};

/** The flag that assigns each feature's transport. */
export const FEATURE_TRANSPORT_FLAGS: Record<Feature, string> = {
  chat: FLAG_KEYS.chatTransport,
  notifications: FLAG_KEYS.notificationsTransport,
  game: FLAG_KEYS.gameTransport,
};

/** Why a client is meant to be on its transport. */
export type AssignmentSource =
  /** `?transport=` in the URL. */
  | { kind: "override" }
  /** The flag whose value decided; `via`: the feature's flag, which said `default`. */
  | { kind: "flag"; flag: string; via?: string }
  /** The flags could not be read (yet): the app's own default. */
  | { kind: "built-in" };

export interface Assignment {
  transport: TransportName;
  source: AssignmentSource;
}

/** One flag as the React SDK resolved it: its value, and whether that came from the service. */
export interface ResolvedFlag {
  value: unknown;
  /** False when the value is the caller's default (provider not ready, flag missing, an error). */
  fromService: boolean;
}

export function assignTransport(input: {
  feature: Feature;
  override: TransportName | null;
  featureFlag: ResolvedFlag;
  defaultFlag: ResolvedFlag;
}): Assignment {
  if (input.override) return { transport: input.override, source: { kind: "override" } };
  const flag = FEATURE_TRANSPORT_FLAGS[input.feature];
  const own = input.featureFlag.fromService ? FeatureTransportValue.safeParse(input.featureFlag.value) : null;
  if (own?.success && own.data !== FOLLOW_DEFAULT_TRANSPORT) {
    return { transport: own.data, source: { kind: "flag", flag } };
  }
  // The feature says `default` (or is missing): `transport.default` decides.
  const fallback = input.defaultFlag.fromService ? TransportName.safeParse(input.defaultFlag.value) : null;
  if (fallback?.success) {
    const source: AssignmentSource = own?.success
      ? { kind: "flag", flag: FLAG_KEYS.defaultTransport, via: flag }
      : { kind: "flag", flag: FLAG_KEYS.defaultTransport };
    return { transport: fallback.data, source };
  }
  return { transport: DEFAULT_TRANSPORT, source: { kind: "built-in" } };
}

/** The feature a page belongs to: its client is the one the header's switcher and counters show. */
export function featureOfPath(pathname: string): Feature {
  if (pathname === "/chat" || pathname.startsWith("/chat/")) return "chat";
  if (pathname === "/game" || pathname.startsWith("/game/")) return "game";
  return "notifications";
}
